#include "apiserver/api_server.h"

#include <spdlog/spdlog.h>

#include "apiserver/arm_routes.h"
#include "apiserver/builtin_types.h"
#include "apiserver/discovery_routes.h"
#include "apiserver/metrics_routes.h"
#include "apiserver/pod_subresources.h"
#include "apiserver/scale_subresource.h"
#include "base/files.h"
#include "base/host_port.h"
#include "http/tls.h"
#include "store/storage_url.h"

namespace berth::apiserver {

using nlohmann::json;
namespace asio = boost::asio;

namespace {

constexpr const char* kDefaultNamespaces[] = {"default", "kube-system", "kube-public",
                                              "kube-node-lease"};

}  // namespace

ApiServer::ApiServer(ApiServerOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

ApiServer::~ApiServer() {
  stop();
}

Status ApiServer::start() {
  auto parsedListen = splitHostPort(options_.listen);
  if (!parsedListen) {
    return fail(std::move(parsedListen.error()).wrap("--listen"));
  }
  const HostPort hostPort = *parsedListen;
  host_ = hostPort.host;
  BERTH_TRY_STATUS(files::makeDirs(options_.dataDir, 0700));
  std::string datastore = options_.datastore.empty()
                              ? "sqlite://" + (options_.dataDir / "state.db").string()
                              : options_.datastore;
  BERTH_ASSIGN_OR_RETURN(storage_, store::openStorage(datastore));
  cache_ = std::make_unique<WatchCache>(*storage_);
  BERTH_TRY_STATUS(cache_->start());
  objects_ = std::make_unique<ObjectStore>(*storage_, *cache_);
  registerBuiltinTypes(registry_);
  authorizer_ = std::make_unique<Authorizer>(registry_, *objects_);
  handlers_ = std::make_unique<ResourceHandlers>(registry_, *objects_, *authorizer_, clock_);

  tokens_ = std::make_shared<TokenStore>(options_.dataDir / "tokens.json");
  BERTH_ASSIGN_OR_RETURN(adminToken_, tokens_->ensureToken("system:admin", {"system:masters"}));
  // The identity the API server shows agents for logs and exec. It has no rights on the API
  // itself, so a node that sees it gains nothing.
  BERTH_ASSIGN_OR_RETURN(proxyToken_,
                         tokens_->ensureToken("system:apiserver", {"system:apiserver-proxy"}));

  std::vector<std::string> names = options_.certificateNames;
  if (!host_.empty() && host_ != "0.0.0.0" && host_ != "::") {
    names.push_back(host_);
  }
  BERTH_ASSIGN_OR_RETURN(auto tls,
                         http::ensureTlsFiles(options_.dataDir / "pki", names, "berth-apiserver"));
  BERTH_TRY_STATUS(ensureDefaultNamespaces());

  http::ServerOptions serverOptions;
  serverOptions.host = host_;
  serverOptions.port = hostPort.port;
  serverOptions.threads = options_.threads;
  serverOptions.certFile = tls.cert;
  serverOptions.keyFile = tls.key;
  serverOptions.authenticator = tokens_;
  serverOptions.bodyLimit = 3 * 1024 * 1024;
  serverOptions.name = "apiserver";
  metrics_ = std::make_unique<MetricsCache>(clock_);
  server_ = std::make_unique<http::Server>(serverOptions, routes());
  BERTH_TRY_STATUS(server_->start());
  port_ = server_->port();
  namespaceThread_ = std::thread([this] { namespaceLoop(); });
  compactionThread_ = std::thread([this] { compactionLoop(); });
  SummarySource* summaries = options_.summarySource;
  if (summaries == nullptr) {
    agentSummaries_ = std::make_unique<AgentSummarySource>(*handlers_, proxyToken_);
    summaries = agentSummaries_.get();
  }
  scraper_ = std::make_unique<MetricsScraper>(
      *metrics_, *summaries, [this] { return readyNodes(*handlers_); }, options_.metricsResolution);
  scraper_->start();
  spdlog::info("api server listening on {}", url());
  return ok();
}

void ApiServer::stop() {
  {
    std::lock_guard lock(loopMu_);
    stopping_ = true;
  }
  loopCv_.notify_all();
  if (scraper_) {
    scraper_->stop();
  }
  if (namespaceThread_.joinable()) {
    namespaceThread_.join();
  }
  if (compactionThread_.joinable()) {
    compactionThread_.join();
  }
  if (server_) {
    server_->stop();
    server_.reset();
  }
  if (cache_) {
    cache_->stop();
  }
}

std::string ApiServer::url() const {
  std::string host = host_.empty() || host_ == "0.0.0.0" ? "127.0.0.1" : host_;
  if (host == "::") {
    host = "::1";
  }
  if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  return fmt::format("https://{}:{}", host, port_);
}

std::filesystem::path ApiServer::caFile() const {
  return options_.dataDir / "pki" / "ca.crt";
}

Result<std::string> ApiServer::tokenFor(const std::string& user,
                                        const std::vector<std::string>& groups) {
  return tokens_->ensureToken(user, groups);
}

Status ApiServer::ensureDefaultNamespaces() {
  auto type = registry_.find("", "v1", "namespaces");
  if (!type) {
    return fail(ErrorCode::kInternal, "namespaces are not registered");
  }
  for (const char* name : kDefaultNamespaces) {
    if (objects_->get(*type, "", name)) {
      continue;
    }
    json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
    auto created = handlers_->createObject(*type, "", ns, WriteOptions{});
    if (!created && created.error().code != 409) {
      return fail(ErrorCode::kInternal, "create namespace '{}': {}", name,
                  created.error().status.value("message", ""));
    }
  }
  return ok();
}

// Empties namespaces being deleted and removes them once nothing is left in them. Woken by
// changes to namespaces; while one is terminating it looks again every two seconds (its pods
// leave when their agents have stopped them).
void ApiServer::namespaceLoop() {
  auto watcher = cache_->watch("/registry/namespaces/", 0, [this] {
    {
      std::lock_guard lock(loopMu_);
      namespaceChanged_ = true;
    }
    loopCv_.notify_all();
  });
  auto nsType = registry_.find("", "v1", "namespaces");
  while (true) {
    bool terminating = false;
    if (watcher) {
      (void)(*watcher)->take();
    }
    for (const auto& item : objects_->list(*nsType, "").items) {
      const json& meta = (*item.object)["metadata"];
      if (!meta.contains("deletionTimestamp")) {
        continue;
      }
      terminating = true;
      std::string name = meta.value("name", "");
      for (const auto& type : registry_.all()) {
        if (!type->namespaced) {
          continue;
        }
        for (const auto& object : objects_->list(*type, name).items) {
          const json& m = (*object.object)["metadata"];
          if (!m.contains("deletionTimestamp")) {
            (void)handlers_->deleteObject(*type, name, m.value("name", ""), DeleteOptions{});
          }
        }
      }
      // What is left waits for its agent (graceful pod deletion) or its finalizers.
      size_t remaining = 0;
      for (const auto& type : registry_.all()) {
        if (type->namespaced) {
          remaining += objects_->list(*type, name).items.size();
        }
      }
      if (remaining == 0) {
        (void)objects_->remove(*nsType, *item.object, item.revision);
        spdlog::info("namespace '{}' deleted", name);
      }
    }
    std::unique_lock lock(loopMu_);
    if (stopping_) {
      break;
    }
    loopCv_.wait_for(lock, terminating ? std::chrono::seconds(2) : std::chrono::hours(1),
                     [this] { return stopping_ || namespaceChanged_; });
    namespaceChanged_ = false;
    if (stopping_) {
      break;
    }
  }
  if (watcher) {
    cache_->unwatch(*watcher);
  }
}

void ApiServer::compactionLoop() {
  std::unique_lock lock(loopMu_);
  while (!loopCv_.wait_for(lock, options_.compactionPeriod, [this] { return stopping_; })) {
    lock.unlock();
    int64_t target = storage_->revision() - options_.historyRevisions;
    if (target > storage_->compactedRevision()) {
      if (auto s = storage_->compact(target); !s) {
        spdlog::warn("compact the store to revision {}: {}", target, s.error().message());
      } else {
        spdlog::debug("compacted the store to revision {}", target);
      }
    }
    lock.lock();
  }
}

http::Router ApiServer::routes() {
  http::Router router;
  addDiscoveryRoutes(router, registry_);
  addMetricsRoutes(router, *metrics_, *handlers_, *authorizer_);
  addArmRoutes(router, *handlers_, tokens_, proxyToken_, options_.arm);
  addPodSubresources(*handlers_, *objects_, proxyToken_);
  addScaleSubresources(*handlers_);
  router.add(
      "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
      [this](http::Context& ctx) -> asio::awaitable<void> {
        const auto& who = ctx.identity();
        if (!who || (!Authorizer::isMaster(*who) && !Authorizer::nodeName(*who))) {
          co_await respondFailure(ctx, forbidden("tokenreviews.authentication.k8s.io is "
                                                 "forbidden"));
          co_return;
        }
        auto body = json::parse(ctx.request().body, nullptr, false);
        if (body.is_discarded() || !body.contains("spec")) {
          co_await respondFailure(ctx, badRequest("spec.token: Required value"));
          co_return;
        }
        std::string token = body["spec"].value("token", "");
        auto identity = tokens_->authenticate(token);
        json review = {{"apiVersion", "authentication.k8s.io/v1"},
                       {"kind", "TokenReview"},
                       {"metadata", {{"creationTimestamp", nullptr}}},
                       {"spec", json::object()},
                       {"status", {{"authenticated", identity.has_value()}}}};
        if (identity) {
          review["status"]["user"] = {{"username", identity->user}, {"groups", identity->groups}};
        }
        co_await ctx.respond(201, "application/json", review.dump());
      });
  auto serve = [this](http::Context& ctx) -> asio::awaitable<void> {
    co_await handlers_->serve(ctx);
  };
  // Resource paths: /api/{version}/... and /apis/{group}/{version}/... of 1 to 6 segments.
  std::string api = "/api/{v}";
  std::string apis = "/apis/{g}/{v}";
  for (int depth = 1; depth <= 6; ++depth) {
    api += "/{s" + std::to_string(depth) + "}";
    apis += "/{s" + std::to_string(depth) + "}";
    router.add("GET,POST,PUT,PATCH,DELETE", api, serve);
    router.add("GET,POST,PUT,PATCH,DELETE", apis, serve);
  }
  return router;
}

}  // namespace berth::apiserver
