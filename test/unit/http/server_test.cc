#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <thread>

#include "http/client.h"
#include "http/event.h"
#include "test_server.h"

namespace berth::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string url(const Server& server, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + path;
}

asio::awaitable<void> sleepFor(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

TEST(ServerTest, RoutesWithParamsQueryAndHeaders) {
  Router router;
  router.add("GET,POST", "/hello/{name}", [](Context& ctx) -> asio::awaitable<void> {
    const Request& req = ctx.request();
    std::string body = req.method + " " + req.param("name") + " " +
                       req.query.get("greeting").value_or("-") + " " +
                       std::to_string(req.query.all("n").size()) + " " +
                       req.header("X-Test").value_or("-") + " " + req.body;
    std::map<std::string, std::string> headers = {{"X-Reply", "yes"}};
    co_await ctx.respond(200, "text/plain", body, std::move(headers));
  });
  auto server = testing::startServer({}, std::move(router));

  ClientOptions options;
  options.headers["x-test"] = "hdr";
  auto res =
      httpRequest("GET", url(*server, "/hello/w%20orld?greeting=good+day&n=1&n=2"), "", options);
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "GET w orld good day 2 hdr ");
  EXPECT_EQ(res->headers["x-reply"], "yes");
  EXPECT_EQ(res->headers["content-type"], "text/plain");

  res = httpRequest("POST", url(*server, "/hello/x"), "payload");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "POST x - 0 - payload");
}

TEST(ServerTest, NotFoundMethodNotAllowedAndMissingResponse) {
  Router router;
  router.add("GET", "/silent", [](Context&) -> asio::awaitable<void> { co_return; });
  auto server = testing::startServer({}, std::move(router));

  auto res = httpRequest("GET", url(*server, "/nope"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find(R"("reason":"NotFound")"), std::string::npos);
  EXPECT_EQ(res->headers["content-type"], "application/json");

  res = httpRequest("DELETE", url(*server, "/silent"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);

  res = httpRequest("GET", url(*server, "/silent"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
}

TEST(ServerTest, BearerTokenAuthentication) {
  auto auth = std::make_shared<StaticTokenAuthenticator>();
  auth->addToken("s3cret-token", Identity{"alice", {}});
  Router router;
  router.add("GET", "/whoami", [](Context& ctx) -> asio::awaitable<void> {
    std::string user = ctx.identity() ? ctx.identity()->user : "nobody";
    co_await ctx.respond(200, "text/plain", user);
  });
  router.add(
      "GET", "/healthz",
      [](Context& ctx) -> asio::awaitable<void> { co_await ctx.respond(200, "text/plain", "ok"); },
      RouteOptions{.authenticated = false});
  ServerOptions options;
  options.authenticator = auth;
  auto server = testing::startServer(options, std::move(router));

  const std::string unauthorized =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"("message":"Unauthorized","reason":"Unauthorized","code":401})";
  auto res = httpRequest("GET", url(*server, "/whoami"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->body, unauthorized);

  ClientOptions wrong;
  wrong.bearerToken = "s3cret-tokem";
  res = httpRequest("GET", url(*server, "/whoami"), "", wrong);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->body, unauthorized);

  ClientOptions right;
  right.bearerToken = "s3cret-token";
  res = httpRequest("GET", url(*server, "/whoami"), "", right);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "alice");

  res = httpRequest("GET", url(*server, "/healthz"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok");
}

TEST(ServerTest, BodyLimit) {
  Router router;
  router.add("POST", "/upload", [](Context& ctx) -> asio::awaitable<void> {
    co_await ctx.respond(200, "text/plain", std::to_string(ctx.request().body.size()));
  });
  ServerOptions options;
  options.bodyLimit = 16;
  auto server = testing::startServer(options, std::move(router));
  auto res = httpRequest("POST", url(*server, "/upload"), std::string(10, 'x'));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "10");
  res = httpRequest("POST", url(*server, "/upload"), std::string(100, 'x'));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

// The second chunk is only written once the client has seen the first: without flushing each
// chunk this deadlocks and the request times out.
TEST(ServerTest, StreamsChunksAsTheyAreWritten) {
  std::atomic<bool> clientSawFirst = false;
  Router router;
  router.add("GET", "/stream", [&](Context& ctx) -> asio::awaitable<void> {
    if (!co_await ctx.beginStream(200, "text/plain")) {
      co_return;
    }
    co_await ctx.write("first\n");
    for (int i = 0; i < 500 && !clientSawFirst; ++i) {
      co_await sleepFor(10ms);
    }
    co_await ctx.write("second\n");
    co_await ctx.end();
  });
  auto server = testing::startServer({}, std::move(router));

  std::string received;
  ClientOptions options;
  options.timeout = 10s;
  auto status = httpStream(
      "GET", url(*server, "/stream"),
      [&](std::string_view data) {
        received.append(data);
        if (received.find("first\n") != std::string::npos) {
          clientSawFirst = true;
        }
        return true;
      },
      options);
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(*status, 200);
  EXPECT_TRUE(clientSawFirst);
  EXPECT_EQ(received, "first\nsecond\n");
}

TEST(ServerTest, DetectsClientDisconnectWhileStreaming) {
  std::atomic<bool> sawDisconnect = false;
  Router router;
  router.add("GET", "/stream", [&](Context& ctx) -> asio::awaitable<void> {
    Event gone(ctx.executor());
    ctx.onDisconnect([&gone] { gone.set(); });
    co_await ctx.beginStream(200, "text/plain");
    co_await ctx.write("hello\n");
    // No writes from here on: only the read side can notice that the client left.
    co_await gone.waitFor(10s);
    sawDisconnect = ctx.disconnected();
    co_await ctx.end();
  });
  auto server = testing::startServer({}, std::move(router));

  auto status = httpStream("GET", url(*server, "/stream"),
                           [](std::string_view) { return false; });  // hang up at once
  ASSERT_TRUE(status) << status.error().message();
  for (int i = 0; i < 500 && !sawDisconnect; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(sawDisconnect);
}

TEST(ServerTest, StopEndsOpenStreams) {
  Router router;
  router.add("GET", "/forever", [](Context& ctx) -> asio::awaitable<void> {
    Event gone(ctx.executor());
    ctx.onDisconnect([&gone] { gone.set(); });
    co_await ctx.beginStream(200, "text/plain");
    while (!ctx.disconnected()) {
      co_await ctx.write("tick\n");
      co_await gone.waitFor(20ms);
    }
  });
  ServerOptions options;
  options.threads = 2;
  auto server = testing::startServer(options, std::move(router));
  std::atomic<int> chunks = 0;
  std::thread client([&] {
    (void)httpStream("GET", url(*server, "/forever"), [&](std::string_view) {
      ++chunks;
      return true;
    });
  });
  for (int i = 0; i < 500 && chunks < 3; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  auto start = std::chrono::steady_clock::now();
  server->stop();
  client.join();
  EXPECT_GE(chunks, 3);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

}  // namespace
}  // namespace berth::http
