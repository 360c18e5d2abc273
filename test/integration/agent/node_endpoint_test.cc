// Logs and exec through the real agent's node endpoint (TLS + token), on real containers.

#include <gtest/gtest.h>

#include "http/client.h"
#include "http/ws_client.h"
#include "support/agent_fixture.h"

namespace berth::testing {
namespace {

class NodeEndpointTest : public AgentFixture {
 protected:
  void SetUp() override {
    AgentFixture::SetUp();
    ASSERT_TRUE(waitUntil([&] { return files::exists(root_ / "agent" / "node-endpoint"); }, 10s));
    endpoint_ = files::read(root_ / "agent" / "node-endpoint").value_or("");
    while (!endpoint_.empty() && endpoint_.back() == '\n') {
      endpoint_.pop_back();
    }
    token_ = files::read(root_ / "agent" / "node-token").value_or("");
    options_.caFile = root_ / "agent" / "tls" / "ca.crt";
    options_.bearerToken = token_;
    options_.timeout = 10s;
    ASSERT_TRUE(files::exists(options_.caFile)) << "no CA at " << options_.caFile;
  }

  http::ClientResponse get(const std::string& path, bool withToken = true) {
    auto o = options_;
    if (!withToken) {
      o.bearerToken.clear();
    }
    auto r = http::httpRequest("GET", endpoint_ + path, "", o);
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? *r : http::ClientResponse{};
  }

  // Runs a command over the remotecommand WebSocket; returns stdout and the status message.
  std::pair<std::string, std::string> exec(const std::string& query) {
    http::WebSocketClientOptions o;
    o.caFile = options_.caFile;
    o.bearerToken = token_;
    o.protocols = {"v5.channel.k8s.io"};
    std::string url = "wss" + endpoint_.substr(5) + "/exec/default/web/main?" + query;
    auto ws = http::WebSocketClient::connect(url, o);
    EXPECT_TRUE(ws) << (ws ? "" : ws.error().message());
    std::string out, status;
    while (ws) {
      auto msg = (*ws)->read();
      if (!msg || msg->empty()) {
        break;
      }
      if ((*msg)[0] == 1) {
        out += msg->substr(1);
      } else if ((*msg)[0] == 3) {
        status += msg->substr(1);
      }
    }
    return {out, status};
  }

  std::string endpoint_;
  std::string token_;
  http::ClientOptions options_;
};

TEST_F(NodeEndpointTest, LogsAndExecReachTheContainer) {
  writeManifest("web.yaml", fmt::format(R"(apiVersion: v1
kind: Pod
metadata: {{name: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: {}
    command: ["sh", "-c", "echo first; echo second; exec sleep 3600"]
)",
                                        image("busybox")));
  auto p = waitForPod("web", [](const api::Pod& q) { return q.status.phase == "Running"; });
  rememberIds(p);

  EXPECT_EQ(get("/containerLogs/default/web/main", false).status, 401);
  EXPECT_TRUE(waitUntil(
      [&] { return get("/containerLogs/default/web/main").body == "first\nsecond\n"; }, 5s));
  EXPECT_EQ(get("/containerLogs/default/web/main?tailLines=1").body, "second\n");
  EXPECT_EQ(get("/containerLogs/default/nope/main").status, 404);

  auto [out, status] = exec("command=sh&command=-c&command=hostname%3B%20exit%203&stdout=1");
  EXPECT_EQ(out, "web\n");
  EXPECT_NE(status.find("NonZeroExitCode"), std::string::npos) << status;
  EXPECT_NE(status.find("\"message\":\"3\""), std::string::npos) << status;
  auto [out2, status2] = exec("command=cat&command=/etc/hostname&stdout=1");
  EXPECT_EQ(out2, "web\n");
  EXPECT_NE(status2.find("Success"), std::string::npos) << status2;
}

}  // namespace
}  // namespace berth::testing
