#pragma once

// The node agent assembled: image store, OCI runtime, pod network, pod sync loop, the static
// pod source and the node endpoint. `berth agent` and `berth up` run one.

#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "agent/image/image_store.h"
#include "agent/image_gc.h"
#include "agent/network/pod_network.h"
#include "agent/pod_sync_loop.h"
#include "agent/runtime/runtime.h"
#include "base/clock.h"
#include "base/error.h"

namespace berth::agent {

struct AgentOptions {
  std::filesystem::path root = "/var/lib/berth/agent";
  std::filesystem::path manifestDir;  // empty: no static pods
  std::set<std::string> insecureRegistries;
  std::string runtimePath = "crun";
  network::NetworkConfig network;
  SyncOptions sync;  // root is filled from `root`
  ImageGcOptions imageGc;
  // Sandboxes made ahead of time for pods without host ports (0: none).
  size_t sandboxPoolSize = 4;
  // The node endpoint (logs, exec): loopback by default, TLS with a CA and certificate kept in
  // ROOT/tls, bearer token in ROOT/node-token; the URL it serves at goes to ROOT/node-endpoint.
  std::string listen = "127.0.0.1:10250";
};

class Agent {
 public:
  explicit Agent(AgentOptions options);
  ~Agent();

  // Takes the root's lock (one agent per root), prepares cgroups and starts everything.
  Status start();
  // Stops the agent; containers keep running under their monitors.
  void stop();

  PodSyncLoop& loop() { return *loop_; }
  image::ImageStore& images() { return *images_; }
  const AgentOptions& options() const { return options_; }

 private:
  AgentOptions options_;
  RealClock clock_;
  int lockFd_ = -1;
  image::ImageStorePtr images_;
  runtime::RuntimePtr runtime_;
  network::PodNetworkPtr network_;
  std::unique_ptr<class SandboxPool> sandboxPool_;
  std::unique_ptr<PodSyncLoop> loop_;
  std::unique_ptr<class ManifestSource> manifests_;
  std::unique_ptr<ImageGc> imageGc_;
  std::unique_ptr<class NodeServer> nodeServer_;
};

// The directory of the running executable (where berth-monitor is installed beside berth).
std::filesystem::path executableDir();

}  // namespace berth::agent
