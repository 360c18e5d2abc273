#pragma once

// A `berth up` of its own for one test: API server, scheduler, controllers and a local agent
// joined as a node, with a data dir, bridge, pod CIDR and CNI network name no other test uses,
// pulling from the fixture registry. tearDown() deletes what the test left (workloads first, so
// that controllers do not recreate pods), stops berth by PID and removes the bridge, the IPAM
// state and the data dir; it reports mounts left under the data dir.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/files.h"
#include "base/process.h"
#include "base/random.h"
#include "http/client.h"
#include "support/berth_process.h"
#include "support/test_registry.h"

namespace berth::testing {

class UpCluster {
 public:
  explicit UpCluster(std::vector<std::string> extraArgs = {}) : extraArgs_(std::move(extraArgs)) {
    id_ = randomHex(4);
    dir_ = "/tmp/berth-up-" + id_;
    node_ = "node-" + id_;
    bridge_ = "bu" + id_;
    network_ = "bu-" + id_;
  }
  ~UpCluster() { tearDown(); }

  // Starts berth up and waits until its node is Ready.
  ::testing::AssertionResult start() {
    if (::geteuid() != 0) {
      return ::testing::AssertionFailure() << "integration tests run as root";
    }
    unsigned a = std::stoul(id_.substr(0, 2), nullptr, 16) % 50 + 50;
    unsigned b = std::stoul(id_.substr(2, 2), nullptr, 16);
    registry_ = testRegistry();
    std::vector<std::string> args = {"up",
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--insecure-registry",
                                     registry_,
                                     "--node-name",
                                     node_,
                                     "--bridge",
                                     bridge_,
                                     "--pod-cidr",
                                     fmt::format("10.{}.{}.0/24", a, b),
                                     "--network-name",
                                     network_};
    args.insert(args.end(), extraArgs_.begin(), extraArgs_.end());
    up_ = std::make_unique<BerthProcess>(dir_, args);
    if (auto started = up_->start(); !started) {
      return started;
    }
    bool ready = eventually(
        [&] {
          auto out = kubectl({"get", "nodes", node_});
          return out.succeeded() && out.out.find(" Ready") != std::string::npos;
        },
        std::chrono::seconds(60));
    if (!ready) {
      return ::testing::AssertionFailure() << "node not Ready; log:\n" << up_->log();
    }
    return ::testing::AssertionSuccess();
  }

  // Idempotent. Returns the mounts left under the data dir after the pods were deleted.
  std::vector<std::string> tearDown() {
    std::vector<std::string> leftMounts;
    if (!up_) {
      return leftMounts;
    }
    // Container groups and workloads first (their controllers would make the pods again), in
    // every namespace: the instances API keeps its pods in namespaces of its own.
    for (const char* kind :
         {"containergroups", "horizontalpodautoscalers", "deployments", "replicasets", "pods"}) {
      kubectl({"delete", kind, "--all", "--all-namespaces", "--wait=true", "--timeout=60s"});
    }
    up_->stop();
    std::ifstream mounts("/proc/self/mountinfo");
    std::string line;
    while (std::getline(mounts, line)) {
      if (line.find(dir_.string() + "/") != std::string::npos) {
        leftMounts.push_back(line);
      }
    }
    // A left mount is a failure the test reports; detach it so that removing the data dir
    // neither fails nor reaches into a container's root.
    for (auto it = leftMounts.rbegin(); it != leftMounts.rend(); ++it) {
      std::istringstream fields(*it);
      std::string field, mountPoint;
      for (int i = 0; i < 5 && fields >> field; ++i) {
        mountPoint = field;
      }
      ::umount2(mountPoint.c_str(), MNT_DETACH);
    }
    process::run({"ip", "link", "del", bridge_});
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path("/var/lib/cni/networks") / network_, ignored);
    std::filesystem::remove_all(dir_, ignored);
    std::filesystem::remove(dir_.string() + ".log", ignored);
    up_.reset();
    return leftMounts;
  }

  // The API server's URL, from the kubeconfig berth up wrote ("https://127.0.0.1:PORT").
  std::string serverUrl() const {
    auto kubeconfig = files::read(up_->kubeconfig());
    if (!kubeconfig) {
      return "";
    }
    auto server = kubeconfig->substr(kubeconfig->find("server: ") + 8);
    return server.substr(0, server.find('\n'));
  }
  // The bearer token of system:admin.
  std::string adminToken() const {
    auto tokens =
        nlohmann::json::parse(files::read(dir_ / "tokens.json").value_or("[]"), nullptr, false);
    for (const auto& entry : tokens.is_array() ? tokens : nlohmann::json::array()) {
      if (entry.value("user", "") == "system:admin") {
        return entry.value("token", "");
      }
    }
    return "";
  }
  // An HTTPS request to the API server as system:admin (JSON body when there is one). A
  // transport failure is a test failure and an empty response.
  http::ClientResponse request(const std::string& method, const std::string& path,
                               const std::string& body = "") const {
    http::ClientOptions options;
    options.caFile = dir_ / "pki" / "ca.crt";
    options.bearerToken = adminToken();
    if (!body.empty()) {
      options.headers["Content-Type"] = "application/json";
    }
    auto response = http::httpRequest(method, serverUrl() + path, body, options);
    EXPECT_TRUE(response) << method << " " << path << ": "
                          << (response ? "" : response.error().message());
    return response.value_or(http::ClientResponse{});
  }

  process::Outcome kubectl(const std::vector<std::string>& args,
                           std::optional<std::string> input = std::nullopt) const {
    return up_->kubectl(args, std::move(input));
  }

  BerthProcess& process() { return *up_; }
  std::string log() const { return up_ ? up_->log() : std::string(); }
  const std::string& node() const { return node_; }
  const std::string& registry() const { return registry_; }
  const std::filesystem::path& dir() const { return dir_; }
  // A fixture image in the registry: image("httpd:2") -> "127.0.0.1:PORT/berth/httpd:2".
  std::string image(const std::string& nameAndTag) const {
    return registry_ + "/berth/" + nameAndTag;
  }

 private:
  std::vector<std::string> extraArgs_;
  std::string id_, node_, bridge_, network_, registry_;
  std::filesystem::path dir_;
  std::unique_ptr<BerthProcess> up_;
};

}  // namespace berth::testing
