#include "agent/node_server.h"

#include <boost/asio/use_awaitable.hpp>

#include "agent/token_review_authenticator.h"
#include "base/log.h"

namespace berth::agent {

namespace asio = boost::asio;

NodeServer::NodeServer(ContainerLocator& locator, runtime::Runtime& runtime,
                       NodeServerOptions options, const Clock& clock)
    : locator_(locator), runtime_(runtime), options_(std::move(options)), clock_(clock) {}

NodeServer::~NodeServer() {
  stop();
}

http::Router NodeServer::makeRouter() {
  http::Router router;
  router.add(
      "GET", "/healthz",
      [](http::Context& ctx) -> asio::awaitable<void> {
        co_await ctx.respond(200, "text/plain; charset=utf-8", "ok");
      },
      http::RouteOptions{.authenticated = false});
  router.add("GET", "/containerLogs/{namespace}/{pod}/{container}",
             [this](http::Context& ctx) -> asio::awaitable<void> {
               co_await handleContainerLogs(ctx, locator_, clock_, options_.followRecheck);
             });
  router.add("GET", "/stats/summary", [this](http::Context& ctx) -> asio::awaitable<void> {
    co_await handleStatsSummary(ctx, options_.stats);
  });
  router.add("GET,POST", "/exec/{namespace}/{pod}/{container}",
             [this](http::Context& ctx) -> asio::awaitable<void> {
               co_await handleExec(ctx, locator_, runtime_, blocking_);
             });
  return router;
}

Status NodeServer::start() {
  if (options_.token.empty()) {
    return fail(ErrorCode::kInvalidArgument, "node server: a token is required");
  }
  http::ServerOptions serverOptions;
  serverOptions.host = options_.host;
  serverOptions.port = options_.port;
  serverOptions.threads = options_.threads;
  serverOptions.name = "node-server";
  auto authenticator = std::make_shared<http::StaticTokenAuthenticator>();
  authenticator->addToken(options_.token, http::Identity{"system:node-client", {}});
  serverOptions.authenticator = authenticator;
  if (options_.extraAuthenticator) {
    serverOptions.authenticator = std::make_shared<AnyAuthenticator>(
        std::vector<http::AuthenticatorPtr>{authenticator, options_.extraAuthenticator});
  }
  if (!options_.tlsDir.empty()) {
    auto files = http::ensureTlsFiles(options_.tlsDir, options_.tlsNames, "berth-node");
    if (!files) {
      return fail(std::move(files.error()).wrap("node server tls"));
    }
    tlsFiles_ = *files;
    serverOptions.certFile = files->cert;
    serverOptions.keyFile = files->key;
  }
  server_ = std::make_unique<http::Server>(std::move(serverOptions), makeRouter());
  return server_->start();
}

uint16_t NodeServer::port() const {
  return server_ ? server_->port() : 0;
}

void NodeServer::stop() {
  if (server_) {
    server_->stop();
  }
  // Exec waits run on their own threads and reference the runtime: let them finish (their
  // processes were killed when the connections closed).
  std::unique_lock lock(blocking_->mu);
  if (!blocking_->cv.wait_for(lock, std::chrono::seconds(10),
                              [this] { return blocking_->running == 0; })) {
    spdlog::warn("node-server: {} exec waits still running at stop", blocking_->running);
  }
}

}  // namespace berth::agent
