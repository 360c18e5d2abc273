#include "http/tls.h"

#include <gtest/gtest.h>

#include <condition_variable>

#include "base/files.h"
#include "base/random.h"
#include "client/api_client.h"
#include "fake_api.h"

namespace berth::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class ClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("berth-client-tls-" + randomHex(6));
    auto tls = http::ensureTlsFiles(dir_ / "tls", {});
    ASSERT_TRUE(tls) << tls.error().message();
    tls_ = *tls;
    auto otherTls = http::ensureTlsFiles(dir_ / "other", {});
    ASSERT_TRUE(otherTls) << otherTls.error().message();
    otherCa_ = otherTls->caCert;

    http::Router router;
    router.add("GET", "/api/v1/nodes/{name}", [](http::Context& ctx) -> asio::awaitable<void> {
      std::string body = json{{"kind", "Node"},
                              {"metadata", {{"name", ctx.request().param("name")}}},
                              {"auth", ctx.request().header("Authorization").value_or("")}}
                             .dump();
      co_await ctx.respond(200, "application/json", std::move(body));
    });
    router.add("GET", "/api/v1/nodes", [](http::Context& ctx) -> asio::awaitable<void> {
      if (!co_await ctx.beginStream(200, "application/json")) {
        co_return;
      }
      co_await ctx.write(R"({"type":"ADDED","object":{"metadata":{"name":"n1"}}})"
                         "\n");
      co_await ctx.end();
    });
    http::ServerOptions options;
    options.certFile = tls_.cert;
    options.keyFile = tls_.key;
    server_ = testing::startServer(std::move(router), options);
  }
  void TearDown() override {
    server_.reset();
    (void)files::removeAll(dir_);
  }

  ClientConfig config() const {
    ClientConfig config;
    config.server = "https://localhost:" + std::to_string(server_->port());
    config.token = "tls-token";
    config.timeout = 10s;
    return config;
  }

  std::filesystem::path dir_;
  http::TlsFiles tls_;
  std::filesystem::path otherCa_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(ClientTlsTest, VerifiesWithCaFile) {
  ClientConfig c = config();
  c.caFile = tls_.caCert;
  ApiClient client(c);
  auto node = client.get(Resource::nodes(), "n1");
  ASSERT_TRUE(node) << node.error().message();
  EXPECT_EQ((*node)["metadata"]["name"], "n1");
  EXPECT_EQ((*node)["auth"], "Bearer tls-token");
}

TEST_F(ClientTlsTest, VerifiesWithCaData) {
  ClientConfig c = config();
  auto pem = files::read(tls_.caCert);
  ASSERT_TRUE(pem);
  c.caData = *pem;
  ApiClient client(c);
  auto node = client.get(Resource::nodes(), "n2");
  ASSERT_TRUE(node) << node.error().message();
  EXPECT_EQ((*node)["metadata"]["name"], "n2");

  // Watches use the same TLS settings.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<WatchEvent> events;
  std::optional<Status> end;
  auto stream = client.watch(
      Resource::nodes(), {},
      [&](const WatchEvent& e) {
        std::lock_guard lock(mu);
        events.push_back(e);
      },
      [&](const Status& s) {
        std::lock_guard lock(mu);
        end = s;
        cv.notify_all();
      });
  ASSERT_TRUE(stream);
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return end.has_value(); }));
  EXPECT_TRUE(*end) << end->error().message();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].object["metadata"]["name"], "n1");
}

TEST_F(ClientTlsTest, RejectsAServerTheCaDidNotSign) {
  ClientConfig c = config();
  c.caFile = otherCa_;
  auto result = ApiClient(c).get(Resource::nodes(), "n1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);

  c = config();
  auto pem = files::read(otherCa_);
  ASSERT_TRUE(pem);
  c.caData = *pem;
  result = ApiClient(c).get(Resource::nodes(), "n1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);

  // System CAs do not know it either; insecure skips verification.
  result = ApiClient(config()).get(Resource::nodes(), "n1");
  ASSERT_FALSE(result);
  c = config();
  c.insecure = true;
  EXPECT_TRUE(ApiClient(c).get(Resource::nodes(), "n1"));
}

}  // namespace
}  // namespace berth::client
