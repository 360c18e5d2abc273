// Probes and /stats/summary on a real `berth agent` with real containers (static pods).

#include <gtest/gtest.h>

#include "http/client.h"
#include "support/agent_fixture.h"

namespace berth::testing {
namespace {

class ProbesTest : public AgentFixture {
 protected:
  static const api::PodCondition* condition(const api::Pod& p, const std::string& type) {
    for (const auto& c : p.status.conditions) {
      if (c.type == type) {
        return &c;
      }
    }
    return nullptr;
  }
  static bool ready(const api::Pod& p) {
    const auto* c = condition(p, "Ready");
    return p.status.phase == "Running" && c && c->status == "True" &&
           !p.status.containerStatuses.empty() && p.status.containerStatuses[0].ready;
  }
  static bool runningUnready(const api::Pod& p) {
    const auto* c = condition(p, "Ready");
    return p.status.phase == "Running" && c && c->status == "False" &&
           !p.status.containerStatuses.empty() && p.status.containerStatuses[0].state.running &&
           !p.status.containerStatuses[0].ready;
  }

  // Runs a command in the pod's container through the OCI runtime, as an operator would.
  void execIn(const api::Pod& p, std::vector<std::string> command) {
    ASSERT_FALSE(p.status.containerStatuses.empty());
    std::string id = p.status.containerStatuses[0].containerID.substr(8);
    std::vector<std::string> args = {"crun", "--root", (root_ / "agent" / "runtime").string(),
                                     "exec", id};
    args.insert(args.end(), command.begin(), command.end());
    auto r = process::run(args);
    ASSERT_TRUE(r && r->exitCode == 0) << (r ? r->describe() : r.error().message());
  }

  std::string podYaml(const std::string& name, const std::string& image,
                      const std::string& container) {
    return fmt::format(R"(apiVersion: v1
kind: Pod
metadata:
  name: {}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: {}
{})",
                       name, image, container);
  }
};

TEST_F(ProbesTest, HttpGetReadinessDrivesReadyBothWays) {
  writeManifest("web.yaml", podYaml("web", image("httpd"), R"(    ports:
    - name: http
      containerPort: 80
    readinessProbe:
      httpGet:
        path: /index.html
        port: http
      periodSeconds: 1
      failureThreshold: 2
)"));
  auto p = waitForPod("web", ready);
  rememberIds(p);
  ASSERT_TRUE(ready(p));
  EXPECT_EQ(condition(p, "ContainersReady")->status, "True");
  EXPECT_EQ(p.status.containerStatuses[0].started, true);

  execIn(p, {"rm", "/www/index.html"});
  auto unready = waitForPod("web", runningUnready, 15s);
  ASSERT_TRUE(runningUnready(unready));
  EXPECT_EQ(condition(unready, "Ready")->reason, "ContainersNotReady");
  EXPECT_EQ(condition(unready, "Ready")->message, "containers with unready status: [main]");
  EXPECT_EQ(condition(unready, "ContainersReady")->status, "False");
  EXPECT_EQ(unready.status.containerStatuses[0].restartCount, 0);  // readiness never restarts

  execIn(unready, {"sh", "-c", "echo back > /www/index.html"});
  auto again = waitForPod("web", ready, 15s);
  EXPECT_TRUE(ready(again));
  EXPECT_NE(condition(again, "Ready")->lastTransitionTime, "");
}

TEST_F(ProbesTest, FailingExecLivenessRestartsTheContainer) {
  writeManifest(
      "live.yaml",
      podYaml(
          "live", image("busybox"),
          R"(    command: ["sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600"]
    livenessProbe:
      exec:
        command: ["cat", "/tmp/healthy"]
      periodSeconds: 1
      failureThreshold: 2
)"));
  auto first = waitForPod("live", [](const api::Pod& q) { return q.status.phase == "Running"; });
  rememberIds(first);
  auto p = waitForPod(
      "live",
      [](const api::Pod& q) {
        return !q.status.containerStatuses.empty() &&
               q.status.containerStatuses[0].restartCount >= 2;
      },
      60s);
  rememberIds(p);
  const auto& cs = p.status.containerStatuses[0];
  ASSERT_GE(cs.restartCount, 2);
  ASSERT_TRUE(cs.lastState.terminated);
  EXPECT_NE(cs.lastState.terminated->exitCode, 0);  // killed (137)
  EXPECT_NE(agentLog().find("failed its Liveness probe"), std::string::npos);
}

TEST_F(ProbesTest, TcpSocketReadinessAndStartupGate) {
  writeManifest("tcp.yaml", podYaml("tcp", image("httpd"), R"(    readinessProbe:
      tcpSocket:
        port: 80
      periodSeconds: 1
    startupProbe:
      tcpSocket:
        port: 80
      periodSeconds: 1
)"));
  writeManifest("closed.yaml", podYaml("closed", image("httpd"), R"(    readinessProbe:
      tcpSocket:
        port: 81
      periodSeconds: 1
)"));
  auto p = waitForPod("tcp", ready);
  rememberIds(p);
  EXPECT_EQ(p.status.containerStatuses[0].started, true);
  auto closed = waitForPod("closed", runningUnready);
  rememberIds(closed);
  std::this_thread::sleep_for(3s);
  auto later = pod("closed");
  ASSERT_TRUE(later);
  EXPECT_TRUE(runningUnready(*later));
  EXPECT_EQ(later->status.containerStatuses[0].restartCount, 0);
}

TEST_F(ProbesTest, StatsSummaryReportsCpuAndMemoryOfRunningContainers) {
  writeManifest(
      "burn.yaml",
      podYaml(
          "burn", image("busybox"),
          R"(    command: ["sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 3600"]
)"));
  auto p = waitForPod("burn", [](const api::Pod& q) { return q.status.phase == "Running"; });
  rememberIds(p);
  ASSERT_TRUE(waitUntil([&] { return files::exists(root_ / "agent" / "node-endpoint"); }, 10s));
  std::string endpoint = files::read(root_ / "agent" / "node-endpoint").value_or("");
  while (!endpoint.empty() && endpoint.back() == '\n') {
    endpoint.pop_back();
  }
  http::ClientOptions o;
  o.caFile = root_ / "agent" / "tls" / "ca.crt";
  o.bearerToken = files::read(root_ / "agent" / "node-token").value_or("");
  auto anonymous = http::httpRequest("GET", endpoint + "/stats/summary", "",
                                     http::ClientOptions{.caFile = o.caFile});
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  nlohmann::json summary, container;
  bool found = waitUntil(
      [&] {
        auto r = http::httpRequest("GET", endpoint + "/stats/summary", "", o);
        if (!r || r->status != 200) {
          return false;
        }
        summary = nlohmann::json::parse(r->body);
        for (const auto& pod : summary["pods"]) {
          if (pod["podRef"]["name"] == "burn" && !pod["containers"].empty()) {
            container = pod["containers"][0];
            return container["cpu"]["usageCoreNanoSeconds"].get<uint64_t>() > 50'000'000;
          }
        }
        return false;
      },
      30s);
  ASSERT_TRUE(found) << summary.dump(2);
  EXPECT_EQ(container["name"], "main");
  EXPECT_GT(container["memory"]["workingSetBytes"].get<uint64_t>(), 0u);
  EXPECT_GT(container["memory"]["usageBytes"].get<uint64_t>(), 0u);
  EXPECT_GT(summary["node"]["cpu"]["usageCoreNanoSeconds"].get<uint64_t>(), 0u);
  EXPECT_GT(summary["node"]["memory"]["availableBytes"].get<uint64_t>(), 0u);
  EXPECT_FALSE(summary["node"]["nodeName"].get<std::string>().empty());
}

}  // namespace
}  // namespace berth::testing
