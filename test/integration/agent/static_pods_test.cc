// The node agent end to end: real `berth agent`, crun, overlayfs, CNI and a local registry.

#include <gtest/gtest.h>

#include <sstream>

#include "support/agent_fixture.h"

namespace berth::testing {
namespace {

class StaticPodsTest : public AgentFixture {
 protected:
  // The text a container wrote, from its CRI log file(s) under the agent's root.
  std::string containerLog(const std::string& podName, const std::string& container) {
    std::string out;
    auto logs = root_ / "agent" / "logs";
    auto dirs = files::listDir(logs).value_or(std::vector<std::string>{});
    for (const auto& dir : dirs) {
      if (dir.rfind("default_" + podName + "_", 0) != 0) {
        continue;
      }
      for (const auto& f :
           files::listDir(logs / dir / container).value_or(std::vector<std::string>{})) {
        std::istringstream in(files::read(logs / dir / container / f).value_or(""));
        std::string line;
        while (std::getline(in, line)) {
          // "<time> <stream> <F|P> <text>"
          size_t pos = 0;
          for (int i = 0; i < 3 && pos != std::string::npos; ++i) {
            pos = line.find(' ', pos + (i ? 1 : 0));
          }
          out += (pos == std::string::npos ? line : line.substr(pos + 1)) + "\n";
        }
      }
    }
    return out;
  }

  static bool running(const api::Pod& p) { return p.status.phase == "Running"; }
};

std::string podYaml(const std::string& name, const std::string& image,
                    const std::string& extraSpec = "", const std::string& extraContainer = "") {
  return fmt::format(R"(apiVersion: v1
kind: Pod
metadata:
  name: {}
spec:
  terminationGracePeriodSeconds: 2  # busybox as PID 1 ignores SIGTERM
{}  containers:
  - name: main
    image: {}
{})",
                     name, extraSpec, image, extraContainer);
}

TEST_F(StaticPodsTest, HttpdPodServesItsPageAndIsRemovedWithoutDebris) {
  writeManifest("web.yaml", podYaml("web", image("httpd")));
  auto p = waitForPod("web", running);
  ASSERT_EQ(p.status.phase, "Running");
  rememberIds(p);
  ASSERT_FALSE(p.status.podIP.empty());
  EXPECT_EQ(p.status.containerStatuses[0].ready, true);
  EXPECT_EQ(p.status.containerStatuses[0].image, image("httpd"));
  EXPECT_EQ(p.status.containerStatuses[0].imageID.rfind("sha256:", 0), 0u);
  EXPECT_TRUE(waitUntil(
      [&] { return httpGet("http://" + p.status.podIP + ":80/") == "hello from berth\n"; }, 10s))
      << "page not served at " << p.status.podIP;

  fs::remove(manifests_ / "web.yaml");
  EXPECT_TRUE(waitUntil([&] { return !pod("web"); }, 20s));
  expectNothingLeft();
}

TEST_F(StaticPodsTest, ChangedManifestReplacesThePod) {
  writeManifest("p.yaml", podYaml("p", image("busybox"), "",
                                  "    command: [\"sh\", \"-c\", \"echo one; sleep 3600\"]\n"));
  auto first = waitForPod("p", running);
  rememberIds(first);
  writeManifest("p.yaml", podYaml("p", image("busybox"), "",
                                  "    command: [\"sh\", \"-c\", \"echo two; sleep 3600\"]\n"));
  auto second = waitForPod(
      "p", [&](const api::Pod& q) { return running(q) && q.metadata.uid != first.metadata.uid; });
  rememberIds(second);
  EXPECT_NE(second.metadata.uid, first.metadata.uid);
  // The old pod is shown as Terminating until its container has stopped, then it is gone.
  EXPECT_TRUE(waitUntil([&] { return pods().size() == 1u; }, 10s));
  EXPECT_TRUE(
      waitUntil([&] { return containerLog("p", "main").find("two") != std::string::npos; }, 5s));
}

TEST_F(StaticPodsTest, ExitCodeIsReportedAndNeverRestarts) {
  writeManifest("x.yaml", podYaml("x", image("exit"), "  restartPolicy: Never\n"));
  auto p = waitForPod("x", [](const api::Pod& q) { return q.status.phase == "Failed"; });
  rememberIds(p);
  ASSERT_EQ(p.status.containerStatuses.size(), 1u);
  const auto& cs = p.status.containerStatuses[0];
  ASSERT_TRUE(cs.state.terminated);
  EXPECT_EQ(cs.state.terminated->exitCode, 3);
  EXPECT_EQ(cs.state.terminated->reason, "Error");
  EXPECT_EQ(cs.restartCount, 0);
  EXPECT_NE(containerLog("x", "main").find("exiting with 3"), std::string::npos);
}

TEST_F(StaticPodsTest, FailingContainerRestartsWithBackOff) {
  writeManifest("crash.yaml", podYaml("crash", image("exit"), "  restartPolicy: OnFailure\n"));
  auto p = waitForPod(
      "crash",
      [](const api::Pod& q) {
        return !q.status.containerStatuses.empty() &&
               q.status.containerStatuses[0].restartCount >= 2 &&
               q.status.containerStatuses[0].state.waiting &&
               q.status.containerStatuses[0].state.waiting->reason == "CrashLoopBackOff";
      },
      40s);
  rememberIds(p);
  const auto& cs = p.status.containerStatuses[0];
  ASSERT_TRUE(cs.lastState.terminated);
  EXPECT_EQ(cs.lastState.terminated->exitCode, 3);
}

TEST_F(StaticPodsTest, MemoryLimitKillIsReportedAsOOMKilled) {
  writeManifest("hog.yaml", podYaml("hog", image("memhog"), "  restartPolicy: Never\n",
                                    "    resources:\n      limits:\n        memory: 32Mi\n"));
  auto p = waitForPod(
      "hog", [](const api::Pod& q) { return q.status.phase == "Failed"; }, 60s);
  rememberIds(p);
  ASSERT_FALSE(p.status.containerStatuses.empty());
  ASSERT_TRUE(p.status.containerStatuses[0].state.terminated);
  EXPECT_EQ(p.status.containerStatuses[0].state.terminated->reason, "OOMKilled");
  EXPECT_EQ(p.status.containerStatuses[0].state.terminated->exitCode, 137);
}

TEST_F(StaticPodsTest, InitContainersRunInOrderBeforeTheContainers) {
  writeManifest("init.yaml", fmt::format(R"(apiVersion: v1
kind: Pod
metadata: {{name: init}}
spec:
  restartPolicy: Never
  volumes:
  - name: shared
    emptyDir: {{}}
  initContainers:
  - name: first
    image: {0}
    command: ["sh", "-c", "echo first >> /shared/order"]
    volumeMounts: [{{name: shared, mountPath: /shared}}]
  - name: second
    image: {0}
    command: ["sh", "-c", "echo second >> /shared/order"]
    volumeMounts: [{{name: shared, mountPath: /shared}}]
  containers:
  - name: main
    image: {0}
    command: ["cat", "/shared/order"]
    volumeMounts: [{{name: shared, mountPath: /shared}}]
)",
                                         image("busybox")));
  auto p = waitForPod("init", [](const api::Pod& q) { return q.status.phase == "Succeeded"; });
  rememberIds(p);
  EXPECT_EQ(containerLog("init", "main"), "first\nsecond\n");
  ASSERT_EQ(p.status.initContainerStatuses.size(), 2u);
  EXPECT_EQ(p.status.initContainerStatuses[1].state.terminated->reason, "Completed");
}

TEST_F(StaticPodsTest, UnpullableImageIsErrImagePullThenBackOff) {
  writeManifest("ghost.yaml", podYaml("ghost", registry_ + "/berth/no-such-image:1"));
  auto p = waitForPod("ghost", [](const api::Pod& q) {
    return !q.status.containerStatuses.empty() && q.status.containerStatuses[0].state.waiting &&
           q.status.containerStatuses[0].state.waiting->reason == "ImagePullBackOff";
  });
  EXPECT_EQ(p.status.phase, "Pending");
  auto p2 = waitForPod("ghost", [](const api::Pod& q) {
    return q.status.containerStatuses[0].state.waiting->reason == "ErrImagePull";
  });
  EXPECT_FALSE(p2.status.containerStatuses[0].state.waiting->message.empty());
}

TEST_F(StaticPodsTest, MissingExecutableIsCreateContainerError) {
  writeManifest("nope.yaml",
                podYaml("nope", image("busybox"), "", "    command: [\"/bin/no-such-binary\"]\n"));
  auto p = waitForPod("nope", [](const api::Pod& q) {
    return !q.status.containerStatuses.empty() && q.status.containerStatuses[0].state.waiting &&
           q.status.containerStatuses[0].state.waiting->reason == "CreateContainerError";
  });
  EXPECT_NE(p.status.containerStatuses[0].state.waiting->message.find("no-such-binary"),
            std::string::npos)
      << p.status.containerStatuses[0].state.waiting->message;
  // Nothing of the failed attempts runs or stays mounted.
  auto list =
      process::run({"crun", "--root", (root_ / "agent" / "runtime").string(), "list", "-q"});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->out, "");
}

TEST_F(StaticPodsTest, InvalidManifestNamesTheField) {
  writeManifest("bad.yaml", R"(apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  restartPolicy: Sometimes
  containers:
  - name: main
)");
  auto p = waitForPod("bad", [](const api::Pod& q) { return q.status.phase == "Failed"; });
  EXPECT_EQ(p.status.reason, "Invalid");
  EXPECT_NE(p.status.message.find("spec.containers[0].image: Required value"), std::string::npos)
      << p.status.message;
  EXPECT_NE(p.status.message.find("spec.restartPolicy: Unsupported value: \"Sometimes\""),
            std::string::npos)
      << p.status.message;
}

TEST_F(StaticPodsTest, AgentCrashAndRestartAdoptsRunningPods) {
  writeManifest("keep.yaml",
                podYaml("keep", image("busybox"), "",
                        "    command: [\"sh\", \"-c\", \"i=0; while true; do echo tick $i; "
                        "i=$((i+1)); sleep 0.2; done\"]\n"));
  auto before = waitForPod("keep", running);
  rememberIds(before);
  stopAgent(SIGKILL);
  // The container keeps running and logging while no agent is there.
  auto ticks = containerLog("keep", "main").size();
  std::this_thread::sleep_for(1s);
  EXPECT_GT(containerLog("keep", "main").size(), ticks);
  startAgent();
  std::this_thread::sleep_for(2s);  // give a wrong restart a chance to show
  auto after = waitForPod("keep", running);
  EXPECT_EQ(after.status.containerStatuses[0].containerID,
            before.status.containerStatuses[0].containerID);
  EXPECT_EQ(after.status.containerStatuses[0].restartCount, 0);
  EXPECT_EQ(after.status.containerStatuses[0].state.running->startedAt,
            before.status.containerStatuses[0].state.running->startedAt);
}

TEST_F(StaticPodsTest, HostPortReachesThePod) {
  int port = 20000 + static_cast<int>(std::stoul(id_.substr(0, 4), nullptr, 16) % 20000);
  writeManifest("hp.yaml", podYaml("hp", image("httpd"), "",
                                   fmt::format("    ports:\n    - containerPort: 80\n"
                                               "      hostPort: {}\n      hostIP: {}\n",
                                               port, gateway_)));
  auto p = waitForPod("hp", running);
  rememberIds(p);
  EXPECT_TRUE(waitUntil(
      [&] { return httpGet(fmt::format("http://{}:{}/", gateway_, port)) == "hello from berth\n"; },
      10s));
}

TEST_F(StaticPodsTest, ContainersRunConfinedByDefault) {
  writeManifest("sec.yaml", podYaml("sec", image("busybox"), "  restartPolicy: Never\n",
                                    "    command: [\"sh\", \"-c\", \"grep -E "
                                    "'^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status; id -u; "
                                    "hostname; touch /probe && echo writable\"]\n"
                                    "    securityContext:\n      runAsUser: 65534\n"
                                    "      readOnlyRootFilesystem: true\n"));
  auto p = waitForPod("sec", [](const api::Pod& q) {
    return q.status.phase == "Succeeded" || q.status.phase == "Failed";
  });
  rememberIds(p);
  std::string log = containerLog("sec", "main");
  EXPECT_NE(log.find("NoNewPrivs:\t1"), std::string::npos) << log;
  EXPECT_NE(log.find("Seccomp:\t2"), std::string::npos) << log;
  EXPECT_NE(log.find("CapEff:\t0000000000000000"), std::string::npos) << log;  // non-root
  EXPECT_NE(log.find("65534"), std::string::npos) << log;
  EXPECT_NE(log.find("sec\n"), std::string::npos) << "hostname is the pod name: " << log;
  EXPECT_EQ(log.find("writable"), std::string::npos) << "read-only root was writable";
}

TEST_F(StaticPodsTest, MemoryEmptyDirIsTmpfs) {
  writeManifest("mem.yaml", podYaml("mem", image("busybox"),
                                    "  restartPolicy: Never\n  volumes:\n  - name: scratch\n"
                                    "    emptyDir:\n      medium: Memory\n",
                                    "    command: [\"sh\", \"-c\", \"grep ' /scratch ' "
                                    "/proc/mounts\"]\n    volumeMounts:\n    - name: scratch\n"
                                    "      mountPath: /scratch\n"));
  auto p = waitForPod("mem", [](const api::Pod& q) { return q.status.phase == "Succeeded"; });
  rememberIds(p);
  EXPECT_NE(containerLog("mem", "main").find("tmpfs /scratch tmpfs"), std::string::npos)
      << containerLog("mem", "main");
}

}  // namespace
}  // namespace berth::testing
