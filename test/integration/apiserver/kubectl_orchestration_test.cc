// Orchestration end to end (issue 5) with the real kubectl against `berth up` and real
// containers: Deployments scale and roll out without dropping below their availability floor,
// roll back by hand and (with berth.io/auto-rollback) by themselves, probes restart and gate
// containers, the HPA scales on CPU load, and deleting a Deployment collects what it owns.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "client/api_client.h"
#include "client/informer.h"
#include "support/up_cluster.h"

namespace berth {
namespace {

using nlohmann::json;
using testing::eventually;
using namespace std::chrono_literals;

bool podReady(const json& pod) {
  if (pod["metadata"].contains("deletionTimestamp")) {
    return false;
  }
  for (const auto& c : pod.value("/status/conditions"_json_pointer, json::array())) {
    if (c.value("type", "") == "Ready") {
      return c.value("status", "") == "True";
    }
  }
  return false;
}

// Counts the Ready pods of a label selector on every change, and remembers the lowest count
// seen while armed.
class ReadyFloor {
 public:
  ReadyFloor(client::ApiClient& client, const std::string& selector)
      : informer_(client, client::Resource::pods("default"), {.labelSelector = selector}) {
    auto recount = [this] {
      int ready = 0;
      for (const auto& p : informer_.list()) {
        ready += podReady(p) ? 1 : 0;
      }
      std::lock_guard lock(mu_);
      current_ = ready;
      if (armed_) {
        lowest_ = std::min(lowest_, ready);
      }
    };
    informer_.addHandler({.onAdd = [recount](const json&) { recount(); },
                          .onUpdate = [recount](const json&, const json&) { recount(); },
                          .onDelete = [recount](const json&) { recount(); }});
    informer_.start();
    informer_.waitForSync(10s);
  }
  void arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
    lowest_ = current_;
  }
  int lowest() {
    std::lock_guard lock(mu_);
    return lowest_;
  }

 private:
  client::Informer informer_;
  std::mutex mu_;
  bool armed_ = false;
  int current_ = 0;
  int lowest_ = 1 << 30;
};

class KubectlOrchestrationTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.start()); }

  void TearDown() override {
    std::string log = cluster_.log();
    for (const auto& line : cluster_.tearDown()) {
      ADD_FAILURE() << "left mounted: " << line;
    }
    if (HasFailure()) {
      std::cerr << "berth up log (tail):\n"
                << log.substr(log.size() > 20000 ? log.size() - 20000 : 0) << "\n";
    }
  }

  process::Outcome kubectl(const std::vector<std::string>& args,
                           std::optional<std::string> input = std::nullopt) {
    return cluster_.kubectl(args, std::move(input));
  }

  json getJson(const std::vector<std::string>& args) {
    return json::parse(kubectl(args).out, nullptr, false);
  }

  // A Deployment of the httpd fixture with a readiness probe on its port.
  std::string webDeployment(const std::string& name, int replicas, const std::string& image,
                            const std::string& extraAnnotations = "", int progressDeadline = 600) {
    return fmt::format(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: {0}
  annotations: {{kubernetes.io/change-cause: "first"{3}}}
spec:
  replicas: {1}
  progressDeadlineSeconds: {4}
  selector: {{matchLabels: {{app: {0}}}}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: 1, maxUnavailable: 1}}
  template:
    metadata: {{labels: {{app: {0}}}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: {2}
        readinessProbe:
          httpGet: {{path: /, port: 80}}
          periodSeconds: 1
)",
                       name, replicas, image, extraAnnotations, progressDeadline);
  }

  bool rolledOut(const std::string& name, const std::string& timeout = "180s") {
    auto out = kubectl({"rollout", "status", "deployment/" + name, "--timeout=" + timeout});
    if (!out.succeeded()) {
      ADD_FAILURE() << "rollout status: " << out.out << out.err << "\n"
                    << kubectl({"describe", "deployment", name}).out;
    }
    return out.succeeded();
  }

  int readyPods(const std::string& selector) {
    auto pods = getJson({"get", "pods", "-l", selector, "-o", "json"});
    int ready = 0;
    for (const auto& p : pods.value("items", json::array())) {
      ready += podReady(p) ? 1 : 0;
    }
    return ready;
  }

  std::string templateImage(const std::string& name) {
    return kubectl({"get", "deployment", name, "-o",
                    "jsonpath={.spec.template.spec.containers[0].image}"})
        .out;
  }

  testing::UpCluster cluster_;
};

TEST_F(KubectlOrchestrationTest, ScaleRollingUpgradeKeepsAvailabilityAndUndo) {
  auto config = client::loadKubeconfig(cluster_.process().kubeconfig());
  ASSERT_TRUE(config) << config.error().message();
  client::ApiClient client(*config);

  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, webDeployment("web", 3, cluster_.image("httpd:1")))
                  .succeeded());
  ASSERT_TRUE(rolledOut("web"));
  EXPECT_EQ(readyPods("app=web"), 3);

  ASSERT_TRUE(kubectl({"scale", "deployment/web", "--replicas=10"}).succeeded());
  ASSERT_TRUE(rolledOut("web"));
  EXPECT_EQ(readyPods("app=web"), 10);
  ASSERT_TRUE(kubectl({"scale", "deployment/web", "--replicas=2"}).succeeded());
  EXPECT_TRUE(eventually(
      [&] {
        return getJson({"get", "pods", "-l", "app=web", "-o", "json"})
                   .value("items", json::array())
                   .size() == 2;
      },
      60s));
  ASSERT_TRUE(rolledOut("web"));
  ASSERT_TRUE(kubectl({"scale", "deployment/web", "--replicas=4"}).succeeded());
  EXPECT_TRUE(eventually(
      [&] {
        return getJson({"get", "pods", "-l", "app=web", "-o", "json"})
                   .value("items", json::array())
                   .size() == 4;
      },
      60s));
  ASSERT_TRUE(rolledOut("web"));

  // A rolling upgrade to a new tag: Ready pods never fewer than replicas - maxUnavailable.
  ReadyFloor floor(client, "app=web");
  floor.arm();
  ASSERT_TRUE(
      kubectl({"set", "image", "deployment/web", "main=" + cluster_.image("httpd:2")}).succeeded());
  ASSERT_TRUE(rolledOut("web"));
  EXPECT_GE(floor.lowest(), 3) << "Ready pods dropped below replicas - maxUnavailable";
  // The old pods terminate (gracefully) after the rollout completed.
  json pods;
  EXPECT_TRUE(eventually(
      [&] {
        pods = getJson({"get", "pods", "-l", "app=web", "-o", "json"});
        return pods["items"].size() == 4u;
      },
      60s))
      << pods.dump();
  for (const auto& p : pods["items"]) {
    EXPECT_EQ(p["spec"]["containers"][0]["image"], cluster_.image("httpd:2"));
  }
  auto history = kubectl({"rollout", "history", "deployment/web"});
  EXPECT_NE(history.out.find("1 "), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("2 "), std::string::npos) << history.out;

  // Undo: the template goes back to revision 1, which becomes revision 3.
  ASSERT_TRUE(kubectl({"rollout", "undo", "deployment/web"}).succeeded());
  ASSERT_TRUE(rolledOut("web"));
  EXPECT_EQ(templateImage("web"), cluster_.image("httpd:1"));
  auto d = getJson({"get", "deployment", "web", "-o", "json"});
  EXPECT_EQ(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3");
  EXPECT_EQ(d["status"]["availableReplicas"], 4);
}

TEST_F(KubectlOrchestrationTest, CrashingRolloutRollsBackByItselfWithTheAnnotation) {
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, webDeployment("auto", 2, cluster_.image("httpd:1"),
                                                          ", berth.io/auto-rollback: \"true\"", 60))
                  .succeeded());
  ASSERT_TRUE(rolledOut("auto"));
  // The exit fixture ends at once with code 3: its pods crash-loop.
  ASSERT_TRUE(
      kubectl({"set", "image", "deployment/auto", "main=" + cluster_.image("exit:1")}).succeeded());
  EXPECT_TRUE(eventually([&] { return templateImage("auto") == cluster_.image("httpd:1"); }, 120s))
      << kubectl({"describe", "deployment", "auto"}).out;
  ASSERT_TRUE(rolledOut("auto"));
  EXPECT_EQ(readyPods("app=auto"), 2);
  auto events = kubectl({"get", "events", "--field-selector", "involvedObject.name=auto"});
  EXPECT_NE(events.out.find("RolledBack"), std::string::npos) << events.out;
  auto describe = kubectl({"describe", "deployment", "auto"});
  EXPECT_NE(describe.out.find("RolledBack"), std::string::npos) << describe.out;
}

TEST_F(KubectlOrchestrationTest, StuckRolloutWithoutTheAnnotationExceedsItsDeadline) {
  ASSERT_TRUE(
      kubectl({"apply", "-f", "-"}, webDeployment("stuck", 2, cluster_.image("httpd:1"), "", 10))
          .succeeded());
  ASSERT_TRUE(rolledOut("stuck"));
  ASSERT_TRUE(kubectl({"set", "image", "deployment/stuck", "main=" + cluster_.image("exit:1")})
                  .succeeded());
  auto status = kubectl({"rollout", "status", "deployment/stuck", "--timeout=90s"});
  EXPECT_FALSE(status.succeeded());
  EXPECT_NE(status.err.find("exceeded its progress deadline"), std::string::npos)
      << status.out << status.err;
  EXPECT_EQ(templateImage("stuck"),
            cluster_.image("exit:1"));  // no rollback without the annotation
  // The old pods still serve: at least replicas - maxUnavailable of them.
  EXPECT_GE(readyPods("app=stuck"), 1);
}

TEST_F(KubectlOrchestrationTest, FailingLivenessProbeRestartsTheContainer) {
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, fmt::format(R"(apiVersion: v1
kind: Pod
metadata: {{name: sick}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: {}
    command: ["sh", "-c", "touch /tmp/healthy; sleep 3; rm /tmp/healthy; sleep 3600"]
    livenessProbe:
      exec: {{command: ["cat", "/tmp/healthy"]}}
      periodSeconds: 1
      failureThreshold: 2
)",
                                                        cluster_.image("busybox:1")))
                  .succeeded());
  EXPECT_TRUE(eventually(
      [&] {
        auto n = kubectl(
            {"get", "pod", "sick", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"});
        return n.succeeded() && !n.out.empty() && std::stoi(n.out) >= 1;
      },
      60s))
      << kubectl({"describe", "pod", "sick"}).out;
  auto describe = kubectl({"describe", "pod", "sick"});
  EXPECT_NE(describe.out.find("Liveness probe failed"), std::string::npos) << describe.out;
}

TEST_F(KubectlOrchestrationTest, DeletingADeploymentCollectsItsReplicaSetsAndPodsUnlessOrphaned) {
  ASSERT_TRUE(
      kubectl({"apply", "-f", "-"}, webDeployment("gc", 2, cluster_.image("httpd:1"))).succeeded());
  ASSERT_TRUE(rolledOut("gc"));
  ASSERT_TRUE(kubectl({"delete", "deployment", "gc", "--timeout=60s"}).succeeded());
  EXPECT_TRUE(eventually(
      [&] {
        return getJson({"get", "replicasets", "-l", "app=gc", "-o", "json"})["items"].empty() &&
               getJson({"get", "pods", "-l", "app=gc", "-o", "json"})["items"].empty();
      },
      60s));

  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, webDeployment("keep", 2, cluster_.image("httpd:1")))
                  .succeeded());
  ASSERT_TRUE(rolledOut("keep"));
  ASSERT_TRUE(kubectl({"delete", "deployment", "keep", "--cascade=orphan"}).succeeded());
  EXPECT_TRUE(eventually([&] { return !kubectl({"get", "deployment", "keep"}).succeeded(); }, 30s));
  auto rs = getJson({"get", "replicasets", "-l", "app=keep", "-o", "json"});
  ASSERT_EQ(rs["items"].size(), 1u);
  EXPECT_FALSE(rs["items"][0]["metadata"].contains("ownerReferences"));
  EXPECT_EQ(readyPods("app=keep"), 2);
}

TEST_F(KubectlOrchestrationTest, HpaScalesUpUnderCpuLoadAndBackDownAfterIt) {
  // Every pod burns CPU (well above 50% of its 100m request; its limit caps it at 200m) until
  // the file `stop` appears in a host directory all of them mount.
  auto shared = cluster_.dir() / "burn";
  std::filesystem::create_directories(shared);
  ASSERT_TRUE(
      kubectl({"apply", "-f", "-"}, fmt::format(R"(apiVersion: apps/v1
kind: Deployment
metadata: {{name: burn}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: burn}}}}
  template:
    metadata: {{labels: {{app: burn}}}}
    spec:
      terminationGracePeriodSeconds: 1
      volumes:
      - name: shared
        hostPath: {{path: {}}}
      containers:
      - name: main
        image: {}
        command: ["sh", "-c", "while [ ! -f /shared/stop ]; do :; done; sleep 3600"]
        volumeMounts: [{{name: shared, mountPath: /shared}}]
        resources:
          requests: {{cpu: 100m}}
          limits: {{cpu: 200m}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: burn}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: burn}}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 50}}}}
  behavior:
    scaleDown: {{stabilizationWindowSeconds: 0}}
)",
                                                shared.string(), cluster_.image("busybox:1")))
          .succeeded());
  ASSERT_TRUE(rolledOut("burn"));
  EXPECT_TRUE(eventually(
      [&] {
        return kubectl({"get", "deployment", "burn", "-o", "jsonpath={.spec.replicas}"}).out == "3";
      },
      120s))
      << kubectl({"describe", "hpa", "burn"}).out;
  auto top = kubectl({"top", "pods", "-l", "app=burn"});
  EXPECT_TRUE(top.succeeded()) << top.err;
  EXPECT_NE(top.out.find("burn-"), std::string::npos) << top.out;
  { std::ofstream(shared / "stop") << "stop\n"; }
  EXPECT_TRUE(eventually(
      [&] {
        return kubectl({"get", "deployment", "burn", "-o", "jsonpath={.spec.replicas}"}).out == "1";
      },
      180s))
      << kubectl({"describe", "hpa", "burn"}).out;
  auto events = kubectl({"get", "events", "--field-selector", "involvedObject.name=burn"});
  EXPECT_NE(events.out.find("SuccessfulRescale"), std::string::npos) << events.out;
}

}  // namespace
}  // namespace berth
