#pragma once

// Fake API servers for the client tests, built on the project's own http::Server:
//   RecordingServer  answers every request with a scripted reply and records what came in;
//   FakeApi          an in-memory pods collection with list (paged), watch from a resource
//                    version (replayed from its history), bookmarks, 410 Gone after compaction
//                    and knobs to end or cut open watches.

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/api_client.h"
#include "http/server.h"

namespace berth::client::testing {

namespace asio = boost::asio;
using nlohmann::json;

inline asio::awaitable<void> sleepFor(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

inline std::unique_ptr<http::Server> startServer(http::Router router,
                                                 http::ServerOptions options = {}) {
  options.host = "127.0.0.1";
  options.port = 0;
  auto server = std::make_unique<http::Server>(std::move(options), std::move(router));
  auto started = server->start();
  EXPECT_TRUE(started) << started.error().message();
  return server;
}

// Every path of up to 8 segments goes to `handler`.
inline void addCatchAll(http::Router& router, http::Handler handler) {
  std::string pattern;
  for (int depth = 1; depth <= 8; ++depth) {
    pattern += "/{s" + std::to_string(depth) + "}";
    router.add("GET,POST,PUT,PATCH,DELETE", pattern, handler);
  }
}

struct Reply {
  int status = 200;
  std::string body = R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"}})";
};

class RecordingServer {
 public:
  RecordingServer() {
    http::Router router;
    addCatchAll(router, [this](http::Context& ctx) -> asio::awaitable<void> {
      Reply reply;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(ctx.request());
        if (!replies_.empty()) {
          reply = replies_.front();
          replies_.pop_front();
        }
      }
      co_await ctx.respond(reply.status, "application/json", reply.body);
    });
    server_ = startServer(std::move(router));
  }

  // The next request gets this reply (then the default 200 Pod again).
  void reply(int status, std::string body) {
    std::lock_guard lock(mu_);
    replies_.push_back({status, std::move(body)});
  }

  http::Request last() {
    std::lock_guard lock(mu_);
    EXPECT_FALSE(requests_.empty());
    return requests_.empty() ? http::Request{} : requests_.back();
  }

  ClientConfig config() const {
    ClientConfig config;
    config.server = "http://127.0.0.1:" + std::to_string(server_->port());
    config.token = "secret-token";
    config.timeout = std::chrono::seconds(10);
    return config;
  }

 private:
  std::mutex mu_;
  std::vector<http::Request> requests_;
  std::deque<Reply> replies_;
  std::unique_ptr<http::Server> server_;
};

inline json pod(const std::string& ns, const std::string& name, const json& spec = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"namespace", ns}, {"name", name}}},
          {"spec", spec}};
}

class FakeApi {
 public:
  FakeApi() {
    http::Router router;
    auto handler = [this](http::Context& ctx) -> asio::awaitable<void> {
      if (ctx.request().query.get("watch").value_or("") == "true") {
        co_await watch(ctx);
      } else {
        std::string body = list(ctx.request());
        co_await ctx.respond(200, "application/json", body);
      }
    };
    router.add("GET", "/api/v1/pods", handler);
    router.add("GET", "/api/v1/namespaces/{ns}/pods", handler);
    server_ = startServer(std::move(router));
  }

  ~FakeApi() { server_->stop(); }

  ClientConfig config() const {
    ClientConfig config;
    config.server = "http://127.0.0.1:" + std::to_string(server_->port());
    config.timeout = std::chrono::seconds(10);
    return config;
  }

  // Creates or replaces a pod; watchers see ADDED/MODIFIED. Returns it with its new RV.
  json put(json object, bool quietly = false) {
    std::lock_guard lock(mu_);
    object["metadata"]["resourceVersion"] = std::to_string(++rv_);
    std::string key = keyOf(object);
    std::string type = objects_.contains(key) ? "MODIFIED" : "ADDED";
    objects_[key] = object;
    if (!quietly) {
      history_.push_back({rv_, type, object});
    }
    return object;
  }

  // Deletes a pod; watchers see DELETED.
  void remove(const std::string& key, bool quietly = false) {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    ASSERT_NE(it, objects_.end());
    json object = it->second;
    objects_.erase(it);
    object["metadata"]["resourceVersion"] = std::to_string(++rv_);
    if (!quietly) {
      history_.push_back({rv_, "DELETED", object});
    }
  }

  // Advances the RV without a change and sends watchers (that asked for them) a BOOKMARK.
  int64_t bookmark() {
    std::lock_guard lock(mu_);
    ++rv_;
    history_.push_back({rv_,
                        "BOOKMARK",
                        {{"kind", "Pod"},
                         {"apiVersion", "v1"},
                         {"metadata", {{"resourceVersion", std::to_string(rv_)}}}}});
    return rv_;
  }

  // Forgets the history: a watch from an older RV gets a 410 reply.
  void compact() {
    std::lock_guard lock(mu_);
    compactedRv_ = rv_;
    history_.clear();
  }
  // Open watches get an ERROR event with a 410 Status and end.
  void expireWatches() {
    std::lock_guard lock(mu_);
    ++expireGeneration_;
  }
  // Open watches are cut off (the connection closes without the final chunk).
  void dropWatches() {
    std::lock_guard lock(mu_);
    ++dropGeneration_;
  }
  // Lists return at most `n` items per page (with a continue token).
  void setMaxPage(size_t n) {
    std::lock_guard lock(mu_);
    maxPage_ = n;
  }

  std::vector<std::string> watchResourceVersions() {
    std::lock_guard lock(mu_);
    return watchRvs_;
  }
  std::vector<http::Request> listRequests() {
    std::lock_guard lock(mu_);
    return lists_;
  }
  int openWatches() {
    std::lock_guard lock(mu_);
    return openWatches_;
  }

  static std::string keyOf(const json& object) {
    return object["metadata"].value("namespace", "") + "/" + object["metadata"].value("name", "");
  }

 private:
  struct Entry {
    int64_t rv;
    std::string type;
    json object;
  };

  std::string list(const http::Request& request) {
    std::lock_guard lock(mu_);
    lists_.push_back(request);
    size_t offset = std::stoul(request.query.get("continue").value_or("0"));
    size_t limit = std::stoul(request.query.get("limit").value_or("0"));
    size_t page = limit == 0 ? maxPage_ : std::min(limit, maxPage_);
    json items = json::array();
    size_t index = 0;
    for (const auto& [key, object] : objects_) {
      if (index >= offset && items.size() < page) {
        items.push_back(object);
      }
      ++index;
    }
    json metadata = {{"resourceVersion", std::to_string(rv_)}};
    if (offset + items.size() < objects_.size()) {
      metadata["continue"] = std::to_string(offset + items.size());
    }
    return json{{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", metadata}, {"items", items}}
        .dump();
  }

  asio::awaitable<void> watch(http::Context& ctx) {
    const auto& query = ctx.request().query;
    std::string from = query.get("resourceVersion").value_or("");
    bool bookmarks = query.get("allowWatchBookmarks").value_or("") == "true";
    int64_t sent = 0;
    int drop = 0;
    int expire = 0;
    bool gone = false;
    {
      std::lock_guard lock(mu_);
      watchRvs_.push_back(from);
      sent = from.empty() || from == "0" ? rv_ : std::stoll(from);
      gone = sent < compactedRv_;
      drop = dropGeneration_;
      expire = expireGeneration_;
    }
    if (gone) {
      std::string message = "too old resource version: " + from;
      co_await ctx.respondStatus(410, std::move(message));
      co_return;
    }
    if (!co_await ctx.beginStream(200, "application/json")) {
      co_return;
    }
    {
      std::lock_guard lock(mu_);
      ++openWatches_;
    }
    for (;;) {
      std::vector<std::string> lines;
      bool dropNow = false;
      bool expireNow = false;
      {
        std::lock_guard lock(mu_);
        dropNow = drop != dropGeneration_;
        expireNow = expire != expireGeneration_;
        for (const auto& entry : history_) {
          if (dropNow || expireNow) {
            break;  // what happened since goes to the next watch
          }
          if (entry.rv > sent && (entry.type != "BOOKMARK" || bookmarks)) {
            lines.push_back(json{{"type", entry.type}, {"object", entry.object}}.dump() + "\n");
          }
          sent = std::max(sent, entry.rv);
        }
      }
      for (auto& line : lines) {
        co_await ctx.write(std::move(line));
      }
      if (expireNow) {
        json status = {{"kind", "Status"},    {"apiVersion", "v1"},   {"status", "Failure"},
                       {"reason", "Expired"}, {"message", "too old"}, {"code", 410}};
        std::string line = json{{"type", "ERROR"}, {"object", status}}.dump() + "\n";
        co_await ctx.write(std::move(line));
        co_await ctx.end();
        break;
      }
      if (dropNow || ctx.disconnected()) {
        break;  // returning without end(): the client sees a truncated chunked body
      }
      co_await sleepFor(std::chrono::milliseconds(5));
    }
    std::lock_guard lock(mu_);
    --openWatches_;
  }

  std::mutex mu_;
  std::map<std::string, json> objects_;
  std::vector<Entry> history_;
  int64_t rv_ = 100;
  int64_t compactedRv_ = 0;
  int dropGeneration_ = 0;
  int expireGeneration_ = 0;
  size_t maxPage_ = 1000;
  int openWatches_ = 0;
  std::vector<std::string> watchRvs_;
  std::vector<http::Request> lists_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace berth::client::testing
