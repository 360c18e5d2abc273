#include "http/tls.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/use_awaitable.hpp>

#include "base/files.h"
#include "base/process.h"
#include "base/random.h"
#include "http/client.h"
#include "http/server.h"
#include "http/ws_client.h"
#include "test_server.h"

namespace berth::http {
namespace {

namespace asio = boost::asio;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("berth-tls-test-" + randomHex(6));
  }
  void TearDown() override { (void)files::removeAll(dir_); }
  std::filesystem::path dir_;
};

TEST_F(TlsTest, GeneratesOnceAndReuses) {
  auto first = ensureTlsFiles(dir_ / "tls", {"node-1", "10.1.2.3"});
  ASSERT_TRUE(first) << first.error().message();
  auto cert = files::read(first->cert);
  auto ca = files::read(first->caCert);
  ASSERT_TRUE(cert && ca);
  EXPECT_NE(cert->find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(std::filesystem::status(first->key).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);

  auto second = ensureTlsFiles(dir_ / "tls", {"node-1", "10.1.2.3"});
  ASSERT_TRUE(second);
  EXPECT_EQ(*files::read(second->cert), *cert);

  // The certificate names what was asked for and chains to the CA (checked by openssl(1)).
  auto text = process::run({"openssl", "x509", "-in", second->cert.string(), "-noout", "-text"});
  ASSERT_TRUE(text && text->succeeded());
  EXPECT_NE(text->out.find("DNS:node-1"), std::string::npos);
  EXPECT_NE(text->out.find("IP Address:10.1.2.3"), std::string::npos);
  EXPECT_NE(text->out.find("DNS:localhost"), std::string::npos);
  // New names: a new serving certificate from the same CA.
  auto third = ensureTlsFiles(dir_ / "tls", {"node-2"});
  ASSERT_TRUE(third);
  EXPECT_NE(*files::read(third->cert), *cert);
  EXPECT_EQ(*files::read(third->caCert), *ca);
  auto verify =
      process::run({"openssl", "verify", "-CAfile", third->caCert.string(), third->cert.string()});
  ASSERT_TRUE(verify);
  EXPECT_TRUE(verify->succeeded()) << verify->out << verify->err;
}

TEST_F(TlsTest, HttpsAndWssVerifiedAgainstGeneratedCa) {
  auto tls = ensureTlsFiles(dir_ / "tls", {});
  ASSERT_TRUE(tls) << tls.error().message();
  Router router;
  router.add("GET", "/hello", [](Context& ctx) -> asio::awaitable<void> {
    if (ctx.isWebSocketUpgrade()) {
      auto ws = co_await ctx.acceptWebSocket({});
      if (ws) {
        co_await (*ws)->write("secure");
        co_await (*ws)->close();
        (void)co_await (*ws)->read();
      }
      co_return;
    }
    co_await ctx.respond(200, "text/plain", "hello over tls");
  });
  ServerOptions options;
  options.certFile = tls->cert;
  options.keyFile = tls->key;
  auto server = testing::startServer(options, std::move(router));
  std::string port = std::to_string(server->port());

  ClientOptions verified;
  verified.caFile = tls->caCert;
  for (std::string host : {"127.0.0.1", "localhost"}) {
    auto res = httpRequest("GET", "https://" + host + ":" + port + "/hello", "", verified);
    ASSERT_TRUE(res) << res.error().message();
    EXPECT_EQ(res->body, "hello over tls");
  }

  // Without the CA the certificate is not trusted.
  auto untrusted = httpRequest("GET", "https://127.0.0.1:" + port + "/hello");
  EXPECT_FALSE(untrusted);

  // curl(1) too, as an independent client.
  auto curl = process::run(
      {"curl", "-sS", "--cacert", tls->caCert.string(), "https://localhost:" + port + "/hello"});
  ASSERT_TRUE(curl);
  EXPECT_EQ(curl->out, "hello over tls") << curl->err;

  WebSocketClientOptions wsOptions;
  wsOptions.caFile = tls->caCert;
  auto ws = WebSocketClient::connect("wss://localhost:" + port + "/hello", wsOptions);
  ASSERT_TRUE(ws) << ws.error().message();
  EXPECT_EQ(*(*ws)->read(), "secure");
}

}  // namespace
}  // namespace berth::http
