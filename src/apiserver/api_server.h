#pragma once

// The Kubernetes API server of Berth, assembled: storage, watch cache, the resource types,
// discovery, OpenAPI, authentication (bearer tokens), authorization, the generic handlers and
// the pod subresources that reach the agents (log, exec), over HTTPS; and the ARM
// container-group API under /subscriptions/... (arm_routes.h) on the same listener and tokens.
//
// State under `dataDir`: the store (state.db unless `datastore` says otherwise), pki/ (CA and
// serving certificate, made on first start), tokens.json (bearer tokens).

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "apiserver/arm_service.h"
#include "apiserver/authorizer.h"
#include "apiserver/metrics_cache.h"
#include "apiserver/metrics_scraper.h"
#include "apiserver/object_store.h"
#include "apiserver/resource_handlers.h"
#include "apiserver/resource_type.h"
#include "apiserver/token_store.h"
#include "apiserver/watch_cache.h"
#include "base/clock.h"
#include "base/error.h"
#include "http/server.h"
#include "store/storage.h"

namespace berth::apiserver {

struct ApiServerOptions {
  std::filesystem::path dataDir = "/var/lib/berth";
  std::string listen = "127.0.0.1:6443";  // HOST:PORT; port 0 picks a free one
  std::string datastore;                  // "sqlite://PATH" | "etcd://..."; empty: DATA/state.db
  // io threads. Handlers call the Storage synchronously, so this also bounds how many writes
  // can wait together for one group commit (bench/api_creates.py: 2 threads ~2,900 creates/s,
  // 16 threads ~5,800/s on 2 cores).
  int threads = 16;
  // Extra names and addresses for the serving certificate (besides localhost, 127.0.0.1 and
  // the listen host).
  std::vector<std::string> certificateNames;
  // How many revisions of history the store keeps (watches from older ones get 410).
  int64_t historyRevisions = 10000;
  std::chrono::seconds compactionPeriod{300};
  // How often the metrics scraper asks every Ready node's agent for its stats summary.
  std::chrono::milliseconds metricsResolution{15000};
  // Where the summaries come from; null: the agents (AgentSummarySource). Tests pass a fake,
  // which must outlive the server.
  SummarySource* summarySource = nullptr;
  // The ARM container-group API: quotas, DNS zone (`berth server|up` flags).
  ArmOptions arm;
};

class ApiServer {
 public:
  ApiServer(ApiServerOptions options, Clock& clock);
  ~ApiServer();

  // Opens the store, makes TLS material and the admin token on first start, creates the
  // default namespaces and starts serving.
  Status start();
  void stop();

  // "https://127.0.0.1:6443" (the bound port).
  std::string url() const;
  std::filesystem::path caFile() const;
  // Token of system:admin (system:masters).
  const std::string& adminToken() const { return adminToken_; }
  // A token for `user` in `groups`, made on first use (e.g. a node's).
  Result<std::string> tokenFor(const std::string& user, const std::vector<std::string>& groups);

  ResourceHandlers& handlers() { return *handlers_; }
  ResourceRegistry& registry() { return registry_; }
  // The metrics served as metrics.k8s.io. REQUIRES: start() succeeded.
  MetricsCache& metrics() { return *metrics_; }

 private:
  http::Router routes();
  Status ensureDefaultNamespaces();
  void namespaceLoop();
  // Drops store history the watch cache no longer needs, every few minutes.
  void compactionLoop();

  ApiServerOptions options_;
  Clock& clock_;
  std::string host_;
  uint16_t port_ = 0;
  std::string adminToken_;
  std::string proxyToken_;
  store::StoragePtr storage_;
  std::unique_ptr<WatchCache> cache_;
  std::unique_ptr<ObjectStore> objects_;
  ResourceRegistry registry_;
  std::unique_ptr<Authorizer> authorizer_;
  std::unique_ptr<ResourceHandlers> handlers_;
  std::shared_ptr<TokenStore> tokens_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<MetricsCache> metrics_;
  std::unique_ptr<SummarySource> agentSummaries_;
  std::unique_ptr<MetricsScraper> scraper_;

  // Wakes the background loops: stopping_, or namespaceChanged_ for the namespace loop.
  std::mutex loopMu_;
  std::condition_variable loopCv_;
  bool stopping_ = false;
  bool namespaceChanged_ = false;
  std::thread namespaceThread_;
  std::thread compactionThread_;
};

}  // namespace berth::apiserver
