#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/event.h"
#include "http/server.h"
#include "http/ws_client.h"
#include "test_server.h"

namespace berth::http {
namespace {

namespace asio = boost::asio;

// Echoes every message back, prefixed with the negotiated protocol's first letters.
Router echoRouter() {
  Router router;
  router.add("GET,POST", "/echo", [](Context& ctx) -> asio::awaitable<void> {
    std::vector<std::string> protocols = {"v5.channel.k8s.io", "v4.channel.k8s.io"};
    auto ws = co_await ctx.acceptWebSocket(std::move(protocols));
    if (!ws) {
      co_await ctx.respondError(ws.error());
      co_return;
    }
    for (;;) {
      auto message = co_await (*ws)->read();
      if (!message) {
        break;
      }
      if (*message == "close") {
        co_await (*ws)->close();
        continue;  // the read then ends with the client's close reply
      }
      co_await (*ws)->write((*ws)->protocol().substr(0, 2) + ":" + *message);
    }
  });
  // Two coroutines write at once: the socket must queue the writes, not interleave frames.
  router.add("GET", "/burst", [](Context& ctx) -> asio::awaitable<void> {
    auto ws = co_await ctx.acceptWebSocket({});
    if (!ws) {
      co_return;
    }
    auto socket = *ws;
    Event done(ctx.executor());
    int running = 2;
    for (char tag : std::string("ab")) {
      asio::co_spawn(
          ctx.executor(),
          [socket, tag, &running, &done]() -> asio::awaitable<void> {
            for (int i = 0; i < 100; ++i) {
              co_await socket->write(std::string(1, tag) + std::string(1000 + i, 'x'));
            }
            if (--running == 0) {
              done.set();
            }
          },
          asio::detached);
    }
    co_await done.wait();
    co_await socket->close();
    (void)co_await socket->read();
  });
  return router;
}

std::string wsUrl(const Server& server, const std::string& path) {
  return "ws://127.0.0.1:" + std::to_string(server.port()) + path;
}

TEST(WebSocketTest, EchoWithPreferredSubprotocol) {
  auto server = testing::startServer({}, echoRouter());
  WebSocketClientOptions options;
  options.protocols = {"v4.channel.k8s.io", "v5.channel.k8s.io"};
  auto client = WebSocketClient::connect(wsUrl(*server, "/echo"), options);
  ASSERT_TRUE(client) << client.error().message();
  EXPECT_EQ((*client)->protocol(), "v5.channel.k8s.io");
  ASSERT_TRUE((*client)->write(std::string("\x00\x01hello", 7)));
  auto reply = (*client)->read();
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(*reply, std::string("v5:\x00\x01hello", 10));
  ASSERT_TRUE((*client)->write("close"));
  auto closed = (*client)->read();
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code(), ErrorCode::kUnavailable);
}

TEST(WebSocketTest, FallsBackToOlderProtocolAndAcceptsPost) {
  auto server = testing::startServer({}, echoRouter());
  WebSocketClientOptions options;
  options.protocols = {"v4.channel.k8s.io"};
  options.method = "POST";
  auto client = WebSocketClient::connect(wsUrl(*server, "/echo"), options);
  ASSERT_TRUE(client) << client.error().message();
  EXPECT_EQ((*client)->protocol(), "v4.channel.k8s.io");
  ASSERT_TRUE((*client)->write("x"));
  EXPECT_EQ(*(*client)->read(), "v4:x");
  EXPECT_TRUE((*client)->close());
}

TEST(WebSocketTest, RejectsUnsupportedSubprotocols) {
  auto server = testing::startServer({}, echoRouter());
  WebSocketClientOptions options;
  options.protocols = {"channel.k8s.io", "base64.channel.k8s.io"};
  auto client = WebSocketClient::connect(wsUrl(*server, "/echo"), options);
  ASSERT_FALSE(client);
  EXPECT_NE(client.error().message().find("400"), std::string::npos) << client.error().message();
}

TEST(WebSocketTest, ConcurrentWritesAreQueued) {
  auto server = testing::startServer({}, echoRouter());
  auto client = WebSocketClient::connect(wsUrl(*server, "/burst"), {});
  ASSERT_TRUE(client) << client.error().message();
  int a = 0;
  int b = 0;
  for (int i = 0; i < 200; ++i) {
    auto message = (*client)->read();
    ASSERT_TRUE(message) << message.error().message();
    int& n = (*message)[0] == 'a' ? a : b;
    EXPECT_EQ(message->size(), 1001u + n);
    ++n;
  }
  EXPECT_EQ(a, 100);
  EXPECT_EQ(b, 100);
  EXPECT_FALSE((*client)->read());
}

}  // namespace
}  // namespace berth::http
