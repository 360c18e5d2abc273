#include "http/client.h"

#include <gtest/gtest.h>

#include <boost/asio/use_awaitable.hpp>
#include <sstream>
#include <thread>

#include "base/files.h"
#include "base/random.h"
#include "http/server.h"
#include "http/tls.h"
#include "test_server.h"

namespace berth::http {
namespace {

namespace asio = boost::asio;

// A server answering /who with the client's address (ip:port of its end of the connection)
// and the Authorization and X-Test headers it received.
Router whoRouter() {
  Router router;
  router.add("GET", "/who", [](Context& ctx) -> asio::awaitable<void> {
    const auto& headers = ctx.request().headers;
    auto header = [&headers](const std::string& name) {
      auto it = headers.find(name);
      return it == headers.end() ? std::string("-") : it->second;
    };
    std::string body =
        ctx.request().remoteAddress + "|" + header("authorization") + "|" + header("x-test");
    co_await ctx.respond(200, "text/plain", body);
  });
  return router;
}

struct Who {
  std::string remote;
  std::string authorization;
  std::string test;
};

Who who(const std::string& url, const ClientOptions& options) {
  auto res = httpRequest("GET", url, "", options);
  EXPECT_TRUE(res) << res.error().message();
  if (!res) {
    return {};
  }
  EXPECT_EQ(res->status, 200);
  Who w;
  std::istringstream in(res->body);
  std::getline(in, w.remote, '|');
  std::getline(in, w.authorization, '|');
  std::getline(in, w.test);
  return w;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("berth-client-test-" + randomHex(6));
  }
  void TearDown() override { (void)files::removeAll(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ClientTest, SequentialRequestsReuseOneConnection) {
  auto server = testing::startServer({}, whoRouter());
  std::string url = "http://127.0.0.1:" + std::to_string(server->port()) + "/who";
  ClientOptions options;
  options.bearerToken = "t1";
  options.headers["X-Test"] = "one";
  Who first = who(url, options);
  ASSERT_FALSE(first.remote.empty());
  EXPECT_EQ(first.authorization, "Bearer t1");
  EXPECT_EQ(first.test, "one");

  // The same connection (the server sees the same client port), and nothing of the first
  // request's options is sent again.
  Who second = who(url, {});
  EXPECT_EQ(second.remote, first.remote);
  EXPECT_EQ(second.authorization, "-");
  EXPECT_EQ(second.test, "-");

  // A request asking to close the connection: the next one opens a new connection, and the
  // one after reuses that.
  ClientOptions closing;
  closing.headers["Connection"] = "close";
  EXPECT_EQ(who(url, closing).remote, first.remote);
  Who fresh = who(url, {});
  EXPECT_NE(fresh.remote, first.remote);
  EXPECT_EQ(who(url, {}).remote, fresh.remote);

  // Another thread has connections of its own.
  std::string other;
  std::thread([&] { other = who(url, {}).remote; }).join();
  EXPECT_FALSE(other.empty());
  EXPECT_NE(other, fresh.remote);
}

TEST_F(ClientTest, ReconnectsWhenTheServerClosedTheConnection) {
  auto tls = ensureTlsFiles(dir_ / "tls", {});
  ASSERT_TRUE(tls) << tls.error().message();
  ServerOptions serverOptions;
  serverOptions.certFile = tls->cert;
  serverOptions.keyFile = tls->key;
  auto server = testing::startServer(serverOptions, whoRouter());
  uint16_t port = server->port();
  std::string url = "https://127.0.0.1:" + std::to_string(port) + "/who";
  ClientOptions options;
  options.caFile = tls->caCert;
  Who first = who(url, options);
  EXPECT_EQ(who(url, options).remote, first.remote);

  // stop() closes the idle kept-alive connection; a new server on the same port is reached
  // through a new connection.
  server->stop();
  server.reset();
  serverOptions.port = port;
  auto again = std::make_unique<Server>(serverOptions, whoRouter());
  ASSERT_TRUE(again->start());
  Who second = who(url, options);
  EXPECT_FALSE(second.remote.empty());
  EXPECT_NE(second.remote, first.remote);
}

TEST_F(ClientTest, KeptConnectionsAndSessionsDoNotBypassVerification) {
  auto tls = ensureTlsFiles(dir_ / "tls", {});
  auto otherTls = ensureTlsFiles(dir_ / "other", {});
  ASSERT_TRUE(tls && otherTls);
  ServerOptions serverOptions;
  serverOptions.certFile = tls->cert;
  serverOptions.keyFile = tls->key;
  auto server = testing::startServer(serverOptions, whoRouter());
  std::string url = "https://127.0.0.1:" + std::to_string(server->port()) + "/who";
  auto ca = files::read(tls->caCert);
  auto otherCa = files::read(otherTls->caCert);
  ASSERT_TRUE(ca && otherCa);

  ClientOptions insecure;
  insecure.insecure = true;
  ASSERT_TRUE(httpRequest("GET", url, "", insecure));
  ClientOptions verified;
  verified.caPem = *ca;
  ASSERT_TRUE(httpRequest("GET", url, "", verified));
  ASSERT_TRUE(httpRequest("GET", url, "", verified));

  // Neither the open connections nor the cached TLS sessions (from the insecure and the
  // verified requests) let a request trusting another CA through.
  ClientOptions wrongCa;
  wrongCa.caPem = *otherCa;
  EXPECT_FALSE(httpRequest("GET", url, "", wrongCa));
  EXPECT_FALSE(httpRequest("GET", url, "", {}));  // system CAs
  // Nor on a thread that has no connection yet (a new connection, resuming a session).
  std::thread([&] { EXPECT_FALSE(httpRequest("GET", url, "", wrongCa)); }).join();
  std::thread([&] { EXPECT_TRUE(httpRequest("GET", url, "", verified)); }).join();
}

}  // namespace
}  // namespace berth::http
