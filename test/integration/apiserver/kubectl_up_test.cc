// `berth up` end to end with real containers: the local agent joins as a node, the scheduler
// binds pods to it, the agent runs them from the fixture registry and reports their status;
// kubectl logs and exec reach the containers through the API server; deletion is graceful.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/random.h"
#include "support/berth_process.h"
#include "support/test_registry.h"
#include "support/up_cluster.h"

namespace berth {
namespace {

using nlohmann::json;
using testing::BerthProcess;
using testing::eventually;

class KubectlUpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start());
    node_ = cluster_.node();
    registry_ = cluster_.registry();
    dir_ = cluster_.dir();
  }

  void TearDown() override {
    std::string log = cluster_.log();
    // Nothing of the deleted pods is left mounted.
    for (const auto& line : cluster_.tearDown()) {
      ADD_FAILURE() << "left mounted: " << line;
    }
    if (HasFailure()) {
      std::cerr << "berth up log:\n" << log << "\n";
    }
  }

  process::Outcome kubectl(const std::vector<std::string>& args,
                           std::optional<std::string> input = std::nullopt) {
    return cluster_.kubectl(args, std::move(input));
  }

  std::string podManifest(const std::string& name, const std::string& command) {
    return fmt::format(R"(apiVersion: v1
kind: Pod
metadata: {{name: {}}}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: {}/berth/busybox:1
    command: ["sh", "-c", "{}"]
)",
                       name, registry_, command);
  }

  bool waitForPhase(const std::string& pod, const std::string& phase) {
    return eventually(
        [&] {
          auto out = kubectl({"get", "pod", pod, "-o", "jsonpath={.status.phase}"});
          return out.out == phase;
        },
        std::chrono::seconds(60));
  }

  testing::UpCluster cluster_;
  std::string node_, registry_;
  std::filesystem::path dir_;
};

TEST_F(KubectlUpTest, PodRunsOnTheLocalNodeWithLogsExecAndDelete) {
  auto node = json::parse(kubectl({"get", "node", node_, "-o", "json"}).out);
  EXPECT_FALSE(node["status"]["allocatable"]["cpu"].get<std::string>().empty());
  EXPECT_EQ(node["status"]["nodeInfo"]["operatingSystem"], "linux");

  auto applied =
      kubectl({"apply", "-f", "-"}, podManifest("talk", "echo hello-from-pod; sleep 3600"));
  ASSERT_TRUE(applied.succeeded()) << applied.err;
  ASSERT_TRUE(waitForPhase("talk", "Running")) << kubectl({"describe", "pod", "talk"}).out;
  auto pod = json::parse(kubectl({"get", "pod", "talk", "-o", "json"}).out);
  EXPECT_EQ(pod["spec"]["nodeName"], node_);
  EXPECT_FALSE(pod["status"].value("podIP", "").empty());

  EXPECT_TRUE(eventually(
      [&] {
        auto logs = kubectl({"logs", "talk"});
        return logs.succeeded() && logs.out == "hello-from-pod\n";
      },
      std::chrono::seconds(10)))
      << kubectl({"logs", "talk"}).err;

  // The agent's refusal comes back as the user's error, and the API server carries on.
  auto typo = kubectl({"logs", "talk", "-c", "typo"});
  EXPECT_FALSE(typo.succeeded());
  EXPECT_TRUE(kubectl({"get", "pod", "talk"}).succeeded()) << cluster_.log();

  auto exec = kubectl({"exec", "talk", "--", "sh", "-c", "echo from-exec; exit 3"});
  EXPECT_EQ(exec.exitCode, 3);  // kubectl exits with the command's code
  EXPECT_EQ(exec.out, "from-exec\n");
  EXPECT_NE(exec.err.find("command terminated with exit code 3"), std::string::npos) << exec.err;

  auto describe = kubectl({"describe", "pod", "talk"});
  EXPECT_NE(describe.out.find("Scheduled"), std::string::npos) << describe.out;

  auto deleted = kubectl({"delete", "pod", "talk", "--timeout=60s"});
  ASSERT_TRUE(deleted.succeeded()) << deleted.err;
  EXPECT_FALSE(kubectl({"get", "pod", "talk"}).succeeded());
}

TEST_F(KubectlUpTest, LogsFollowStreamsUntilTheContainerEnds) {
  std::string manifest = podManifest("finite", "echo first; sleep 2; echo second");
  manifest.replace(manifest.find("  containers:"), 0, "  restartPolicy: Never\n");
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, manifest).succeeded());
  ASSERT_TRUE(eventually(
      [&] {
        auto phase = kubectl({"get", "pod", "finite", "-o", "jsonpath={.status.phase}"}).out;
        return phase == "Running" || phase == "Succeeded";
      },
      std::chrono::seconds(60)));
  auto follow = kubectl({"logs", "-f", "finite"});
  EXPECT_TRUE(follow.succeeded()) << follow.err;
  EXPECT_EQ(follow.out, "first\nsecond\n");
  // It waited for the second line rather than returning what existed at the start.
  EXPECT_TRUE(waitForPhase("finite", "Succeeded"));
}

TEST_F(KubectlUpTest, FailingContainerIsReportedAndAPodThatFitsNowhereWaits) {
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, podManifest("fails", "exit 3")).succeeded());
  EXPECT_TRUE(eventually(
      [&] {
        auto out = kubectl({"get", "pod", "fails"});
        return out.out.find("CrashLoopBackOff") != std::string::npos ||
               out.out.find("Error") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << kubectl({"get", "pod", "fails", "-o", "yaml"}).out;

  auto huge = kubectl({"apply", "-f", "-"}, fmt::format(R"(apiVersion: v1
kind: Pod
metadata: {{name: huge}}
spec:
  containers:
  - name: main
    image: {}/berth/busybox:1
    resources: {{requests: {{cpu: "500"}}}}
)",
                                                        registry_));
  ASSERT_TRUE(huge.succeeded()) << huge.err;
  EXPECT_TRUE(eventually(
      [&] {
        auto out = kubectl({"describe", "pod", "huge"});
        return out.out.find("Insufficient cpu") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << kubectl({"describe", "pod", "huge"}).out;
  EXPECT_EQ(kubectl({"get", "pod", "huge", "-o", "jsonpath={.spec.nodeName}"}).out, "");
}

TEST_F(KubectlUpTest, RestartsEvenKill9KeepObjectsAndRunningContainers) {
  ASSERT_TRUE(
      kubectl({"apply", "-f", "-"}, podManifest("keep", "echo started; sleep 3600")).succeeded());
  ASSERT_TRUE(waitForPhase("keep", "Running"));
  ASSERT_TRUE(kubectl({"create", "configmap", "keep", "--from-literal=a=1"}).succeeded());
  auto before = json::parse(kubectl({"get", "pod", "keep", "-o", "json"}).out);
  std::string containerId = before["status"]["containerStatuses"][0]["containerID"];
  std::string uid = before["metadata"]["uid"];

  for (bool crash : {false, true}) {
    if (crash) {
      cluster_.process().kill9();
    } else {
      cluster_.process().stop();
    }
    ASSERT_TRUE(cluster_.process().start());
    ASSERT_TRUE(eventually(
        [&] {
          auto out = kubectl({"get", "nodes", node_});
          return out.succeeded() && out.out.find(" Ready") != std::string::npos;
        },
        std::chrono::seconds(60)));
    auto after = json::parse(kubectl({"get", "pod", "keep", "-o", "json"}).out);
    EXPECT_EQ(after["metadata"]["uid"], uid);
    EXPECT_EQ(after["status"]["phase"], "Running");
    EXPECT_EQ(after["status"]["containerStatuses"][0]["containerID"], containerId)
        << "the container was started again (crash=" << crash << ")";
    EXPECT_EQ(after["status"]["containerStatuses"][0]["restartCount"], 0);
    EXPECT_TRUE(kubectl({"get", "configmap", "keep"}).succeeded());
    // Logs still reach the container through the restarted agent's new endpoint.
    EXPECT_TRUE(eventually(
        [&] {
          return kubectl({"logs", "keep"}).out == "started\n";
        },
        std::chrono::seconds(10)));
  }
}

TEST_F(KubectlUpTest, CordonKeepsNewPodsOffTheNodeUntilUncordon) {
  ASSERT_TRUE(kubectl({"cordon", node_}).succeeded());
  EXPECT_NE(kubectl({"get", "nodes", node_}).out.find("SchedulingDisabled"), std::string::npos);
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, podManifest("waits", "sleep 3600")).succeeded());
  EXPECT_TRUE(eventually(
      [&] {
        return kubectl({"describe", "pod", "waits"}).out.find("unschedulable") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << kubectl({"describe", "pod", "waits"}).out;
  EXPECT_EQ(kubectl({"get", "pod", "waits", "-o", "jsonpath={.spec.nodeName}"}).out, "");
  ASSERT_TRUE(kubectl({"uncordon", node_}).succeeded());
  ASSERT_TRUE(waitForPhase("waits", "Running")) << kubectl({"describe", "pod", "waits"}).out;
  auto events = kubectl({"get", "events"});
  EXPECT_NE(events.out.find("FailedScheduling"), std::string::npos) << events.out;
  EXPECT_NE(events.out.find("Started"), std::string::npos) << events.out;
}

TEST_F(KubectlUpTest, TwoClustersRunSideBySide) {
  std::string id = randomHex(4);
  BerthProcess other("/tmp/berth-up-" + id,
                     {"up", "--listen", "127.0.0.1:0", "--insecure-registry", registry_,
                      "--node-name", "other-" + id, "--bridge", "bu" + id, "--pod-cidr",
                      "10.49." + std::to_string(std::stoul(id.substr(0, 2), nullptr, 16)) + ".0/24",
                      "--network-name", "bu-" + id});
  ASSERT_TRUE(other.start());
  EXPECT_TRUE(eventually(
      [&] {
        return other.kubectl({"get", "nodes"}).out.find("other-" + id) != std::string::npos;
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(other.kubectl({"get", "nodes"}).out.find(node_), std::string::npos);
  EXPECT_EQ(kubectl({"get", "nodes"}).out.find("other-" + id), std::string::npos);
  other.stop();
  process::run({"ip", "link", "del", "bu" + id});
  std::filesystem::remove_all(std::filesystem::path("/var/lib/cni/networks") / ("bu-" + id));
  std::filesystem::remove_all(other.dataDir());
  std::filesystem::remove(other.dataDir().string() + ".log");
}

}  // namespace
}  // namespace berth
