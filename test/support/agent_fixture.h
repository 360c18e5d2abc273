#pragma once

// Integration fixture: a real `berth agent` process on a private root, manifest directory,
// bridge, subnet and CNI network, started and stopped by PID. TearDown removes every pod
// through the agent itself and then checks that nothing was left behind (mounts, runtime
// state, cgroups, IPAM entries), so every test is also a leak test.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/pod.h"
#include "api/pod_codec.h"
#include "base/files.h"
#include "base/process.h"
#include "base/random.h"
#include "support/test_registry.h"

namespace berth::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline std::string berthBinary() {
  return std::string(BERTH_BINARY_DIR) + "/berth";
}

class AgentFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    id_ = randomHex(4);
    root_ = fs::path("/tmp") / ("berth-it-" + id_);
    manifests_ = root_ / "manifests";
    ASSERT_TRUE(files::makeDirs(manifests_));
    bridge_ = "bt" + id_;
    network_ = "bt-" + id_;
    unsigned a = std::stoul(id_.substr(0, 2), nullptr, 16) % 100 + 100;
    unsigned b = std::stoul(id_.substr(2, 2), nullptr, 16);
    subnet_ = fmt::format("10.{}.{}.0/24", a, b);
    gateway_ = fmt::format("10.{}.{}.1", a, b);
    registry_ = testRegistry();
    startAgent();
  }

  void TearDown() override {
    if (pid_ <= 0) {
      startAgent();
    }
    // Remove every pod through the agent, then check for debris.
    auto manifests = files::listDir(manifests_).value_or(std::vector<std::string>{});
    for (const auto& name : manifests) {
      fs::remove(manifests_ / name);
    }
    bool gone = waitUntil([&] { return pods().empty(); }, 60s);
    EXPECT_TRUE(gone) << "pods were not removed; agent log:\n" << agentLog();
    stopAgent(SIGTERM);
    expectNothingLeft();
    process::run({"ip", "link", "del", bridge_});
    files::removeAll(fs::path("/var/lib/cni/networks") / network_);
    if (!HasFailure()) {
      files::removeAll(root_);
    } else {
      std::cerr << "agent log:\n" << agentLog() << "\n(root kept at " << root_ << ")\n";
    }
  }

  void startAgent(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {berthBinary(),
                                     "agent",
                                     "--root",
                                     (root_ / "agent").string(),
                                     "--pod-manifest-path",
                                     manifests_.string(),
                                     "--insecure-registry",
                                     registry_,
                                     "--bridge",
                                     bridge_,
                                     "--pod-cidr",
                                     subnet_,
                                     "--network-name",
                                     network_,
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--backoff-initial",
                                     "1s",
                                     "--backoff-max",
                                     "4s",
                                     "--sandbox-pool-size",
                                     "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      int log = ::open((root_ / "agent.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(log, 1);
      ::dup2(log, 2);
      std::vector<char*> argv;
      for (auto& a : args) {
        argv.push_back(a.data());
      }
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }

  // Stops the agent by its PID: SIGTERM (graceful) or SIGKILL (a crash).
  void stopAgent(int sig) {
    if (pid_ <= 0) {
      return;
    }
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string agentLog() { return files::read(root_ / "agent.log").value_or(""); }

  // `berth agent pods -o json`, as a user would run it.
  std::vector<api::Pod> pods() {
    auto out = process::run(
        {berthBinary(), "agent", "pods", "--root", (root_ / "agent").string(), "-o", "json"});
    std::vector<api::Pod> result;
    if (!out || out->exitCode != 0) {
      ADD_FAILURE() << "berth agent pods failed: "
                    << (out ? out->describe() : out.error().message());
      return result;
    }
    for (const auto& j : nlohmann::json::parse(out->out)) {
      if (auto pod = api::decodePod(j)) {
        result.push_back(*pod);
      }
    }
    return result;
  }

  std::optional<api::Pod> pod(const std::string& name) {
    for (auto& p : pods()) {
      if (p.metadata.name == name) {
        return p;
      }
    }
    return std::nullopt;
  }

  // Polls `pred` until true or `timeout`.
  static bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) {
        return true;
      }
      std::this_thread::sleep_for(100ms);
    }
    return pred();
  }

  // Waits until pod `name` satisfies `pred`; returns it (or the last seen state on timeout).
  api::Pod waitForPod(const std::string& name, const std::function<bool(const api::Pod&)>& pred,
                      std::chrono::milliseconds timeout = 30s) {
    api::Pod last;
    bool ok = waitUntil(
        [&] {
          auto p = pod(name);
          if (!p) {
            return false;
          }
          last = *p;
          return pred(*p);
        },
        timeout);
    EXPECT_TRUE(ok) << "pod '" << name << "' never reached the expected state; last status: "
                    << api::encodePod(last)["status"].dump(2) << "\nagent log tail:\n"
                    << agentLog().substr(agentLog().size() > 4000 ? agentLog().size() - 4000 : 0);
    return last;
  }

  void writeManifest(const std::string& file, const std::string& text) {
    ASSERT_TRUE(files::writeAtomic(manifests_ / file, text));
  }

  std::string image(const std::string& name) { return registry_ + "/berth/" + name + ":1"; }

  // Nothing of this test's agent remains: mounts under root, OCI runtime state, cgroups, IPAM
  // entries. While the agent runs, its warm sandbox pool is expected and ignored.
  void expectNothingLeft() {
    bool agentRunning = pid_ > 0;
    std::istringstream mounts(files::read("/proc/self/mountinfo").value_or(""));
    std::string line, left;
    while (std::getline(mounts, line)) {
      if (line.find(root_.string()) != std::string::npos &&
          !(agentRunning && line.find("/sandbox-pool/") != std::string::npos)) {
        left += line + "\n";
      }
    }
    EXPECT_EQ(left, "") << "mounts left under " << root_;
    auto runtimeRoot = root_ / "agent" / "runtime";
    if (files::exists(runtimeRoot)) {
      auto list = process::run({"crun", "--root", runtimeRoot.string(), "list", "-q"});
      ASSERT_TRUE(list);
      EXPECT_EQ(list->out, "") << "runtime containers left";
    }
    for (const auto& id : startedIds_) {
      EXPECT_FALSE(files::exists(fs::path("/sys/fs/cgroup/memory/berth") / id))
          << "cgroup left for " << id;
    }
    fs::path ipamDir = fs::path("/var/lib/cni/networks") / network_;
    auto ipam = files::listDir(ipamDir).value_or(std::vector<std::string>{});
    for (const auto& entry : ipam) {
      if (entry.rfind("10.", 0) != 0) {
        continue;
      }
      std::string owner = files::read(ipamDir / entry).value_or("");
      EXPECT_TRUE(agentRunning && owner.rfind("pool-", 0) == 0)
          << "IPAM entry left: " << entry << " (" << owner << ")";
    }
  }

  // Remembers the runtime ids of a pod's containers for the cgroup leak check.
  void rememberIds(const api::Pod& p) {
    for (const auto& cs : p.status.containerStatuses) {
      if (cs.containerID.rfind("berth://", 0) == 0) {
        startedIds_.push_back(cs.containerID.substr(8));
      }
    }
  }

  std::string id_;
  fs::path root_;
  fs::path manifests_;
  std::string bridge_;
  std::string network_;
  std::string subnet_;
  std::string gateway_;
  std::string registry_;
  pid_t pid_ = -1;
  std::vector<std::string> startedIds_;
};

// HTTP GET through busybox-less means: curl(1) with a timeout. Returns the body or "".
inline std::string httpGet(const std::string& url) {
  process::Options o;
  o.timeout = 5s;
  auto r = process::run({"curl", "-sS", "--max-time", "3", url}, o);
  return r && r->exitCode == 0 ? r->out : "";
}

}  // namespace berth::testing
