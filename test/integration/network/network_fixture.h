#pragma once

// Fixture for the pod network against the real CNI plugins: a unique bridge, subnet, network
// name and IPAM directory per test, so tests run in parallel with each other and with the agent
// tests. TearDown destroys every sandbox the test made, deletes the bridge and checks that no
// mount under the test's directory is left.

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "agent/network/cni_pod_network.h"
#include "agent/network/pod_network.h"
#include "base/files.h"
#include "base/process.h"
#include "base/random.h"

extern char** environ;

namespace berth::network {

namespace fs = std::filesystem;

// Mount points (field 5 of /proc/self/mountinfo) under `prefix`.
inline std::vector<std::string> mountsUnder(const fs::path& prefix) {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point.rfind(prefix.string(), 0) == 0) {
      out.push_back(point);
    }
  }
  return out;
}

// Runs a command and returns its stdout, or "" with the failure recorded.
inline process::Outcome runCmd(const std::vector<std::string>& argv) {
  auto r = process::run(argv);
  EXPECT_TRUE(r) << argv[0] << ": " << r.error().message();
  return r ? *r : process::Outcome{};
}

class NetworkFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    id_ = randomHex(4);
    root_ = fs::path("/tmp") / ("berth-net-" + id_);
    ASSERT_TRUE(files::makeDirs(root_));
    // 10.200-249.x.0/24: apart from the agent tests' 10.100-199 range.
    unsigned a = std::stoul(id_.substr(0, 2), nullptr, 16) % 50 + 200;
    unsigned b = std::stoul(id_.substr(2, 2), nullptr, 16);
    prefix_ = fmt::format("10.{}.{}.", a, b);
    config_.name = "bn-" + id_;
    config_.bridge = "bn" + id_;
    config_.subnet = prefix_ + "0/24";
    config_.ipamDataDir = root_ / "ipam";
    network_ = makeCniPodNetwork(config_);
  }

  void TearDown() override {
    for (const auto& [id, dir] : created_) {
      auto s = makeCniPodNetwork(config_)->destroy(id, dir, {});
      EXPECT_TRUE(s) << s.error().message();
    }
    for (pid_t pid : pids_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    EXPECT_EQ(mountsUnder(root_), std::vector<std::string>{});
    // The subnet's masquerade went with the last sandbox on the bridge.
    auto table = process::run({"nft", "list", "table", "ip", "berth-masq-" + config_.bridge});
    EXPECT_TRUE(table && !table->succeeded()) << "masquerade table left for " << config_.bridge;
    process::run({"nft", "delete", "table", "ip", "berth-masq-" + config_.bridge});
    for (const auto& m : mountsUnder(root_)) {
      ::umount2(m.c_str(), MNT_DETACH);
    }
    process::run({"ip", "link", "del", config_.bridge});
    files::removeAll(root_);
  }

  // A pod directory; its sandbox (if any) is destroyed at TearDown.
  fs::path podDir(const std::string& id) {
    fs::path dir = root_ / "pods" / id;
    created_.emplace_back(id, dir);
    return dir;
  }

  Result<Sandbox> create(const std::string& id, const std::string& hostname = "pod",
                         const std::vector<PortMapping>& ports = {}) {
    return network_->create(id, podDir(id), hostname, ports);
  }

  // Starts argv in the background; killed by PID at TearDown.
  pid_t spawn(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = -1;
    EXPECT_EQ(::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ), 0);
    if (pid > 0) {
      pids_.push_back(pid);
    }
    return pid;
  }

  // The host-side veth of a sandbox, from the cached CNI result.
  std::string hostVeth(const fs::path& dir) {
    auto text = files::read(sandboxNsDir(dir) / "cni.json");
    if (!text) {
      return "";
    }
    auto j = nlohmann::json::parse(*text);
    for (const auto& i : j["results"]["eth0"]["interfaces"]) {
      if (!i.contains("sandbox") && i.value("name", "") != config_.bridge) {
        return i.value("name", "");
      }
    }
    return "";
  }

  std::string id_;
  fs::path root_;
  std::string prefix_;  // "10.a.b."
  NetworkConfig config_;
  PodNetworkPtr network_;
  std::vector<std::pair<std::string, fs::path>> created_;
  std::vector<pid_t> pids_;
};

}  // namespace berth::network
