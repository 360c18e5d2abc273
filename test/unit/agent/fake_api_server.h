#pragma once

// A tiny stand-in for the API server in agent unit tests: an in-process http::Server (plain
// HTTP, ephemeral port) whose routes all go to one synchronous handler, and an ApiClient
// pointed at it.

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/api_client.h"
#include "http/k8s_status.h"
#include "http/server.h"

namespace berth::agent::testing {

struct Reply {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();

  static Reply error(int status, const std::string& reason, const std::string& message) {
    return {status, nlohmann::json::parse(http::failureStatusJson(status, reason, message))};
  }
};

class FakeApiServer {
 public:
  using Handler = std::function<Reply(const http::Request&)>;

  explicit FakeApiServer(Handler handler) : handler_(std::move(handler)) {
    http::Router router;
    for (const char* pattern :
         {"/api/v1/{resource}", "/api/v1/{resource}/{name}", "/api/v1/{resource}/{name}/{sub}",
          "/api/v1/namespaces/{ns}/{resource}", "/api/v1/namespaces/{ns}/{resource}/{name}",
          "/api/v1/namespaces/{ns}/{resource}/{name}/{sub}", "/apis/{g}/{v}/{resource}",
          "/apis/{g}/{v}/namespaces/{ns}/{resource}",
          "/apis/{g}/{v}/namespaces/{ns}/{resource}/{name}"}) {
      router.add("GET,POST,PUT,PATCH,DELETE", pattern,
                 [this](http::Context& ctx) -> boost::asio::awaitable<void> {
                   Reply reply;
                   {
                     std::lock_guard lock(mu_);
                     requests_.push_back(ctx.request().method + " " + ctx.request().path);
                     reply = handler_(ctx.request());
                   }
                   co_await ctx.respond(reply.status, "application/json", reply.body.dump());
                 });
    }
    server_ = std::make_unique<http::Server>(http::ServerOptions{.port = 0}, std::move(router));
  }

  Status start() { return server_->start(); }

  client::ClientConfig clientConfig() const {
    client::ClientConfig config;
    config.server = "http://127.0.0.1:" + std::to_string(server_->port());
    config.token = "test-token";
    config.timeout = std::chrono::milliseconds(5000);
    return config;
  }

  // "METHOD /path" of every request so far.
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  Handler handler_;
  std::vector<std::string> requests_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace berth::agent::testing
