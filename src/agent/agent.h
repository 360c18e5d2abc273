#pragma once

// The node agent assembled: image store, OCI runtime, pod network, pod sync loop, the static
// pod source and the node endpoint. `berth agent` and `berth up` run one.
//
// Given a server URL it also joins that control plane as node `nodeName`: registers its Node
// and keeps its status and Lease fresh, runs the pods bound to it (beside the static ones),
// reports their status and events, resolves their ConfigMaps and Secrets, and admits the API
// server's callers to the node endpoint by TokenReview.

#include <chrono>
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

namespace berth::client {
class ApiClient;
}  // namespace berth::client

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

  // The control plane to join ("https://host:6443"); empty: static pods only, no client.
  std::string serverUrl;
  std::filesystem::path tokenFile;  // the node's bearer token (required with serverUrl)
  std::filesystem::path caFile;     // CA to verify the server with (empty: system CAs)
  std::string nodeName;             // empty: the host name, lowercased
  // The node pool served ("": none): the Node gets label berth.io/pool=<pool>, and with
  // `taintPool` the taint berth.io/pool=<pool>:NoSchedule (a node dedicated to the pool).
  std::string pool;
  bool taintPool = false;
  std::chrono::milliseconds nodeStatusPeriod{10'000};
  std::chrono::milliseconds leasePeriod{10'000};
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
  // The node's name when joined (after start()), else empty.
  const std::string& nodeName() const { return nodeName_; }

 private:
  Status connect();
  Status startJoined(const std::string& listenHost);

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
  // Joined to a control plane only:
  std::string nodeName_;
  std::shared_ptr<client::ApiClient> client_;
  std::shared_ptr<client::ApiClient> reviewClient_;  // short timeout: blocks io threads
  std::shared_ptr<class EventRecorder> events_;
  std::unique_ptr<class PodStatusReporter> reporter_;
  std::unique_ptr<class ApiPodSource> podSource_;
  std::unique_ptr<class NodeRegistration> registration_;
  std::unique_ptr<class NodeLease> lease_;
};

// The host name, lowercased (the default node name).
std::string defaultNodeName();

// The directory of the running executable (where berth-monitor is installed beside berth).
std::filesystem::path executableDir();

}  // namespace berth::agent
