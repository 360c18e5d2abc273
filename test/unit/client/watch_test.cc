#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "client/api_client.h"
#include "fake_api.h"

namespace berth::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::sleepFor;

// Collects what a watch delivers, thread-safely.
struct Collector {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<WatchEvent> events;
  std::optional<Status> end;
  int ends = 0;

  std::function<void(const WatchEvent&)> onEvent() {
    return [this](const WatchEvent& e) {
      std::lock_guard lock(mu);
      events.push_back(e);
      cv.notify_all();
    };
  }
  std::function<void(const Status&)> onEnd() {
    return [this](const Status& s) {
      std::lock_guard lock(mu);
      end = s;
      ++ends;
      cv.notify_all();
    };
  }
  bool waitEnd(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [this] { return end.has_value(); });
  }
  bool waitEvents(size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return events.size() >= n; });
  }
};

// A server whose watch route writes the given chunks, waiting between them, then ends.
std::unique_ptr<http::Server> chunkServer(std::vector<std::string> chunks,
                                          std::atomic<int>* requests = nullptr,
                                          std::string* target = nullptr) {
  http::Router router;
  router.add("GET", "/api/v1/namespaces/{ns}/pods",
             [chunks, requests, target](http::Context& ctx) -> asio::awaitable<void> {
               if (target) {
                 *target = ctx.request().target;
               }
               if (requests) {
                 ++*requests;
               }
               if (!co_await ctx.beginStream(200, "application/json")) {
                 co_return;
               }
               for (const auto& chunk : chunks) {
                 std::string copy = chunk;
                 co_await ctx.write(std::move(copy));
                 co_await sleepFor(20ms);  // separate TCP segments, so separate reads
               }
               co_await ctx.end();
             });
  return testing::startServer(std::move(router));
}

ClientConfig configFor(const http::Server& server) {
  ClientConfig config;
  config.server = "http://127.0.0.1:" + std::to_string(server.port());
  return config;
}

TEST(WatchTest, SplitsEventsAcrossAndWithinChunks) {
  std::string target;
  auto server = chunkServer(
      {
          R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}})"
          "\n"
          R"({"type":"MODIFIED","obj)",  // first event whole, second one split in three
          R"(ect":{"metadata":{"name":"a","reso)",
          R"(urceVersion":"2"}}})"
          "\n"
          R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"5"}}})"
          "\r\n\n"
          R"({"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"6"}}})",
          "\n",
      },
      nullptr, &target);
  ApiClient client(configFor(*server));
  Collector c;
  ListOptions options;
  options.resourceVersion = "1";
  options.labelSelector = "app=x";
  options.allowWatchBookmarks = true;
  options.timeoutSeconds = 30;
  auto stream = client.watch(Resource::pods("default"), options, c.onEvent(), c.onEnd());
  ASSERT_TRUE(stream) << stream.error().message();
  ASSERT_TRUE(c.waitEnd());
  EXPECT_TRUE(*c.end) << c.end->error().message();
  EXPECT_TRUE((*stream)->done());
  EXPECT_EQ(target,
            "/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dx&resourceVersion=1"
            "&allowWatchBookmarks=true&timeoutSeconds=30");
  ASSERT_EQ(c.events.size(), 4u);
  EXPECT_EQ(c.events[0].type, "ADDED");
  EXPECT_EQ(c.events[1].type, "MODIFIED");
  EXPECT_EQ(c.events[1].object["metadata"]["resourceVersion"], "2");
  EXPECT_EQ(c.events[2].type, "BOOKMARK");
  EXPECT_EQ(c.events[3].type, "DELETED");
  EXPECT_EQ(c.ends, 1);
}

TEST(WatchTest, LastEventWithoutNewlineIsDelivered) {
  auto server = chunkServer({R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})"});
  ApiClient client(configFor(*server));
  Collector c;
  auto stream = client.watch(Resource::pods("default"), {}, c.onEvent(), c.onEnd());
  ASSERT_TRUE(stream);
  ASSERT_TRUE(c.waitEnd());
  EXPECT_TRUE(*c.end);
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0].object["metadata"]["name"], "a");
}

TEST(WatchTest, ErrorEventEndsWithItsCode) {
  auto server = chunkServer({
      R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})"
      "\n"
      R"({"type":"ERROR","object":{"kind":"Status","status":"Failure","reason":"Expired",)"
      R"j("message":"too old resource version: 1 (50)","code":410}})j"
      "\n",
      R"({"type":"ADDED","object":{"metadata":{"name":"never"}}})"
      "\n",
  });
  ApiClient client(configFor(*server));
  Collector c;
  auto stream = client.watch(Resource::pods("default"), {}, c.onEvent(), c.onEnd());
  ASSERT_TRUE(stream);
  ASSERT_TRUE(c.waitEnd());
  ASSERT_FALSE(*c.end);
  EXPECT_EQ(c.end->error().code(), ErrorCode::kGone);
  EXPECT_EQ(c.end->error().message(), "too old resource version: 1 (50)");
  ASSERT_EQ(c.events.size(), 2u);  // the ERROR event is handed over too; nothing after it
  EXPECT_EQ(c.events[1].type, "ERROR");
}

TEST(WatchTest, ErrorReplyEndsWithMappedCode) {
  http::Router router;
  router.add("GET", "/api/v1/pods", [](http::Context& ctx) -> asio::awaitable<void> {
    if (ctx.request().query.get("resourceVersion").value_or("") == "1") {
      co_await ctx.respondStatus(410, "too old resource version: 1 (9)");
    } else {
      co_await ctx.respondStatus(403, "pods is forbidden: User \"x\" cannot watch");
    }
  });
  auto server = testing::startServer(std::move(router));
  ApiClient client(configFor(*server));
  {
    Collector c;
    auto stream = client.watch(Resource::pods(), {.resourceVersion = "1"}, c.onEvent(), c.onEnd());
    ASSERT_TRUE(stream);
    ASSERT_TRUE(c.waitEnd());
    ASSERT_FALSE(*c.end);
    EXPECT_EQ(c.end->error().code(), ErrorCode::kGone);
    EXPECT_EQ(c.end->error().message(), "too old resource version: 1 (9)");
    EXPECT_TRUE(c.events.empty());
  }
  {
    Collector c;
    auto stream = client.watch(Resource::pods(), {.resourceVersion = "2"}, c.onEvent(), c.onEnd());
    ASSERT_TRUE(stream);
    ASSERT_TRUE(c.waitEnd());
    ASSERT_FALSE(*c.end);
    EXPECT_EQ(c.end->error().code(), ErrorCode::kPermissionDenied);
  }
}

TEST(WatchTest, NoServerEndsUnavailable) {
  ClientConfig config;
  {
    auto server = chunkServer({});
    config = configFor(*server);
  }
  ApiClient client(config);
  Collector c;
  auto stream = client.watch(Resource::pods("default"), {}, c.onEvent(), c.onEnd());
  ASSERT_TRUE(stream);
  ASSERT_TRUE(c.waitEnd());
  ASSERT_FALSE(*c.end);
  EXPECT_EQ(c.end->error().code(), ErrorCode::kUnavailable);
}

// The server sends one event and then nothing, ever: stop() must still return at once.
TEST(WatchTest, StopInterruptsASilentStream) {
  http::Router router;
  router.add("GET", "/api/v1/pods", [](http::Context& ctx) -> asio::awaitable<void> {
    if (!co_await ctx.beginStream(200, "application/json")) {
      co_return;
    }
    co_await ctx.write(R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})"
                       "\n");
    while (!ctx.disconnected()) {
      co_await sleepFor(20ms);
    }
  });
  auto server = testing::startServer(std::move(router));
  ApiClient client(configFor(*server));
  Collector c;
  auto stream = client.watch(Resource::pods(), {}, c.onEvent(), c.onEnd());
  ASSERT_TRUE(stream);
  ASSERT_TRUE(c.waitEvents(1));
  std::this_thread::sleep_for(300ms);  // the stream is idle now
  EXPECT_FALSE((*stream)->done());
  auto start = std::chrono::steady_clock::now();
  (*stream)->stop();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 500ms);
  EXPECT_TRUE((*stream)->done());
  ASSERT_TRUE(c.end.has_value());  // onEnd ran before stop() returned
  EXPECT_TRUE(*c.end);
  EXPECT_EQ(c.ends, 1);
  (*stream)->stop();  // idempotent
  stream->reset();
  EXPECT_EQ(c.ends, 1);
}

// Destroying the stream from inside its own callback must neither deadlock nor crash.
TEST(WatchTest, StreamMayBeDestroyedFromItsCallback) {
  auto server = chunkServer({R"({"type":"ADDED","object":{}})"
                             "\n"});
  ApiClient client(configFor(*server));
  std::mutex mu;
  std::condition_variable cv;
  WatchStreamPtr stream;
  bool ended = false;
  {
    std::lock_guard lock(mu);
    auto started = client.watch(
        Resource::pods("default"), {}, [](const WatchEvent&) {},
        [&](const Status&) {
          std::lock_guard lock(mu);
          stream.reset();
          ended = true;
          cv.notify_all();
        });
    ASSERT_TRUE(started);
    stream = std::move(*started);
  }
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, 5s, [&] { return ended; }));
  EXPECT_EQ(stream, nullptr);
}

}  // namespace
}  // namespace berth::client
