#include "agent/node_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"
#include "base/files.h"
#include "base/process.h"
#include "base/random.h"
#include "http/client.h"
#include "http/ws_client.h"
#include "integration/agent/node_server_fakes.h"

namespace berth::agent {
namespace {

using namespace std::chrono_literals;
using testing::FakeLocator;
using testing::HostExecRuntime;

std::string criLine(Clock::WallTime t, const std::string& stream, char tag,
                    const std::string& text) {
  return rfc3339Nano(t) + " " + stream + " " + tag + " " + text + "\n";
}

void append(const std::filesystem::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << data;
}

class NodeServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("berth-node-server-" + randomHex(6));
    ASSERT_TRUE(files::makeDirs(dir_ / "logs"));
    token_ = randomHex(16);
    ContainerLocation web;
    web.podUid = "uid-1";
    web.container = "main";
    web.dir = dir_ / "ctr";
    web.logPath = dir_ / "logs" / "0.log";
    web.previousLogPath = dir_ / "logs" / "prev.log";
    web.running = true;
    locator_.set("default", "web", web);
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
    }
    (void)files::removeAll(dir_);
  }

  void start(bool tls = false) {
    NodeServerOptions options;
    options.port = 0;
    options.token = token_;
    options.followRecheck = 100ms;
    if (tls) {
      options.tlsDir = dir_ / "tls";
    }
    server_ = std::make_unique<NodeServer>(locator_, runtime_, options, clock_);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message();
    base_ = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(server_->port());
  }

  http::ClientOptions auth() const {
    http::ClientOptions options;
    options.bearerToken = token_;
    if (server_ && server_->tlsFiles()) {
      options.caFile = server_->tlsFiles()->caCert;
    }
    return options;
  }

  http::ClientResponse get(const std::string& path) {
    auto res = http::httpRequest("GET", base_ + path, "", auth());
    EXPECT_TRUE(res) << res.error().message();
    return res ? *res : http::ClientResponse{};
  }

  std::filesystem::path logPath() const { return dir_ / "logs" / "0.log"; }

  std::filesystem::path dir_;
  std::string token_;
  FakeLocator locator_;
  HostExecRuntime runtime_;
  RealClock clock_;
  std::unique_ptr<NodeServer> server_;
  std::string base_;
};

TEST_F(NodeServerTest, HealthzNeedsNoTokenButLogsDo) {
  start();
  auto res = http::httpRequest("GET", base_ + "/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok");

  res = http::httpRequest("GET", base_ + "/containerLogs/default/web/main");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  auto status = nlohmann::json::parse(res->body);
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["reason"], "Unauthorized");
  EXPECT_EQ(status["code"], 401);

  http::ClientOptions wrong;
  wrong.bearerToken = token_ + "x";
  res = http::httpRequest("GET", base_ + "/containerLogs/default/web/main", "", wrong);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);

  auto ws = http::WebSocketClient::connect(
      "ws://127.0.0.1:" + std::to_string(server_->port()) + "/exec/default/web/main?command=true",
      {});
  ASSERT_FALSE(ws);
  EXPECT_NE(ws.error().message().find("401"), std::string::npos) << ws.error().message();
}

TEST_F(NodeServerTest, StartRequiresAToken) {
  NodeServerOptions options;
  options.port = 0;
  NodeServer server(locator_, runtime_, options, clock_);
  auto started = server.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(NodeServerTest, UnknownPodOrContainerIs404Status) {
  start();
  auto res = get("/containerLogs/default/nope/main");
  EXPECT_EQ(res.status, 404);
  auto status = nlohmann::json::parse(res.body);
  EXPECT_EQ(status["status"], "Failure");
  EXPECT_EQ(status["reason"], "NotFound");
  EXPECT_EQ(status["message"], "pod 'default/nope' not found");
  EXPECT_EQ(status["code"], 404);

  res = get("/containerLogs/default/web/other");
  EXPECT_EQ(res.status, 404);

  auto ws = http::WebSocketClient::connect(
      "ws://127.0.0.1:" + std::to_string(server_->port()) +
          "/exec/default/nope/main?command=true&stdout=1",
      http::WebSocketClientOptions{.bearerToken = token_, .protocols = {"v5.channel.k8s.io"}});
  ASSERT_FALSE(ws);
  EXPECT_NE(ws.error().message().find("404"), std::string::npos) << ws.error().message();
}

TEST_F(NodeServerTest, WholeLogAcrossRotatedFilesWithPartialLines) {
  auto t = std::chrono::system_clock::now() - 10s;
  append(logPath().string() + ".2", criLine(t, "stdout", 'F', "one"));
  append(logPath().string() + ".1",
         criLine(t, "stderr", 'F', "two") + criLine(t, "stdout", 'P', "thr"));
  append(logPath(), criLine(t, "stdout", 'F', "ee") + criLine(t, "stdout", 'F', "") +
                        criLine(t, "stdout", 'F', "four with  spaces"));
  start();
  auto res = get("/containerLogs/default/web/main");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "one\ntwo\nthree\n\nfour with  spaces\n");
}

TEST_F(NodeServerTest, TailTimestampsLimitAndSince) {
  auto now = std::chrono::system_clock::now();
  auto old = now - 1h;
  auto recent = now - 5s;
  append(logPath(), criLine(old, "stdout", 'F', "old-1") + criLine(old, "stdout", 'F', "old-2") +
                        criLine(recent, "stdout", 'F', "new-1") +
                        criLine(recent, "stderr", 'F', "new-2"));
  start();
  EXPECT_EQ(get("/containerLogs/default/web/main?tailLines=2").body, "new-1\nnew-2\n");
  EXPECT_EQ(get("/containerLogs/default/web/main?tailLines=0").body, "");
  EXPECT_EQ(get("/containerLogs/default/web/main?tailLines=1&timestamps=true").body,
            rfc3339Nano(recent) + " new-2\n");
  EXPECT_EQ(get("/containerLogs/default/web/main?limitBytes=8").body, "old-1\nol");
  EXPECT_EQ(get("/containerLogs/default/web/main?sinceSeconds=60").body, "new-1\nnew-2\n");

  auto bad = get("/containerLogs/default/web/main?tailLines=x");
  EXPECT_EQ(bad.status, 400);
  auto status = nlohmann::json::parse(bad.body);
  EXPECT_EQ(status["reason"], "BadRequest");
  EXPECT_NE(status["message"].get<std::string>().find("tailLines"), std::string::npos);
  EXPECT_EQ(get("/containerLogs/default/web/main?limitBytes=0").status, 400);
  EXPECT_EQ(get("/containerLogs/default/web/main?follow=perhaps").status, 400);
}

TEST_F(NodeServerTest, PreviousInstance) {
  auto t = std::chrono::system_clock::now();
  append(dir_ / "logs" / "prev.log", criLine(t, "stdout", 'F', "before the restart"));
  append(logPath(), criLine(t, "stdout", 'F', "after"));
  start();
  EXPECT_EQ(get("/containerLogs/default/web/main?previous=true").body, "before the restart\n");

  ContainerLocation fresh;
  fresh.container = "main";
  fresh.logPath = logPath();
  fresh.running = true;
  locator_.set("default", "fresh", fresh);
  auto res = get("/containerLogs/default/fresh/main?previous=true");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(nlohmann::json::parse(res.body)["message"],
            "previous terminated container \"main\" in pod \"fresh\" not found");
}

TEST_F(NodeServerTest, FollowStreamsAppendsAcrossRotationAndEndsWhenExited) {
  auto t = std::chrono::system_clock::now();
  append(logPath(), criLine(t, "stdout", 'F', "first"));
  start();

  std::mutex mu;
  std::string received;
  auto seen = [&](const std::string& s) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(mu);
        if (received.find(s) != std::string::npos) {
          return true;
        }
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  };
  std::atomic<bool> done = false;
  Result<int> status = 0;
  std::thread client([&] {
    auto options = auth();
    options.timeout = 30s;
    status = http::httpStream(
        "GET", base_ + "/containerLogs/default/web/main?follow=true",
        [&](std::string_view data) {
          std::lock_guard lock(mu);
          received.append(data);
          return true;
        },
        options);
    done = true;
  });

  ASSERT_TRUE(seen("first\n"));
  append(logPath(), criLine(t, "stdout", 'F', "second"));
  ASSERT_TRUE(seen("second\n"));
  append(logPath(), criLine(t, "stdout", 'P', "par"));
  append(logPath(), criLine(t, "stdout", 'F', "tial"));
  ASSERT_TRUE(seen("partial\n"));

  // Rotate as the monitor does: rename, then write to a new file.
  append(logPath(), criLine(t, "stdout", 'F', "last before rotation"));
  std::filesystem::rename(logPath(), logPath().string() + ".1");
  append(logPath(), criLine(t, "stderr", 'F', "after rotation"));
  ASSERT_TRUE(seen("after rotation\n"));
  EXPECT_FALSE(done);

  append(logPath(), criLine(t, "stdout", 'F', "final words"));
  locator_.setRunning("default", "web", false);
  for (int i = 0; i < 500 && !done; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(done);
  client.join();
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(*status, 200);
  EXPECT_EQ(received,
            "first\nsecond\npartial\nlast before rotation\nafter rotation\nfinal words\n");
}

TEST_F(NodeServerTest, FollowWithTailStartsAtTheEnd) {
  auto t = std::chrono::system_clock::now();
  for (int i = 0; i < 5; ++i) {
    append(logPath(), criLine(t, "stdout", 'F', "line " + std::to_string(i)));
  }
  locator_.setRunning("default", "web", false);  // ends as soon as the file is drained
  start();
  std::string received;
  auto status = http::httpStream(
      "GET", base_ + "/containerLogs/default/web/main?follow=1&tailLines=2",
      [&](std::string_view data) {
        received.append(data);
        return true;
      },
      auth());
  ASSERT_TRUE(status);
  EXPECT_EQ(received, "line 3\nline 4\n");
}

// Reads exec messages until the server closes; returns them by channel plus the status.
struct ExecResult {
  std::string stdoutData;
  std::string stderrData;
  std::string status;
};

ExecResult drain(http::WebSocketClient& ws) {
  ExecResult result;
  for (;;) {
    auto message = ws.read();
    if (!message) {
      break;
    }
    if (message->empty()) {
      continue;
    }
    std::string payload = message->substr(1);
    switch ((*message)[0]) {
      case 1:
        result.stdoutData += payload;
        break;
      case 2:
        result.stderrData += payload;
        break;
      case 3:
        result.status += payload;
        break;
    }
  }
  return result;
}

class NodeServerExecTest : public NodeServerTest {
 protected:
  Result<http::WebSocketClientPtr> exec(const std::string& query,
                                        std::vector<std::string> protocols = {
                                            "v5.channel.k8s.io", "v4.channel.k8s.io"}) {
    http::WebSocketClientOptions options;
    options.bearerToken = token_;
    options.protocols = std::move(protocols);
    options.timeout = 20s;
    std::string scheme = "ws";
    if (server_->tlsFiles()) {
      scheme = "wss";
      options.caFile = server_->tlsFiles()->caCert;
    }
    return http::WebSocketClient::connect(scheme +
                                              "://localhost:" + std::to_string(server_->port()) +
                                              "/exec/default/web/main?" + query,
                                          options);
  }
};

TEST_F(NodeServerExecTest, StdoutStderrAndSuccessOverTls) {
  start(/*tls=*/true);
  auto ws = exec(
      "command=sh&command=-c&command=echo%20out;%20echo%20err%20%3E%262&stdout=1&"
      "stderr=1");
  ASSERT_TRUE(ws) << ws.error().message();
  EXPECT_EQ((*ws)->protocol(), "v5.channel.k8s.io");
  auto result = drain(**ws);
  EXPECT_EQ(result.stdoutData, "out\n");
  EXPECT_EQ(result.stderrData, "err\n");
  EXPECT_EQ(result.status, R"({"metadata":{},"status":"Success"})");
}

TEST_F(NodeServerExecTest, NonZeroExitCode) {
  start();
  auto ws = exec("command=sh&command=-c&command=exit%203&stdout=1&stderr=1", {"v4.channel.k8s.io"});
  ASSERT_TRUE(ws) << ws.error().message();
  EXPECT_EQ((*ws)->protocol(), "v4.channel.k8s.io");
  auto result = drain(**ws);
  EXPECT_EQ(result.status,
            R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero )"
            R"(exit code: error executing command [sh -c exit 3], exit code 3",)"
            R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode",)"
            R"("message":"3"}]}})");
}

TEST_F(NodeServerExecTest, StdinIsEchoedAndClosedWithChannel255) {
  start();
  auto ws = exec("command=cat&stdin=true&stdout=true&stderr=true");
  ASSERT_TRUE(ws) << ws.error().message();
  ASSERT_TRUE((*ws)->write(std::string("\x00hello ", 7)));
  ASSERT_TRUE((*ws)->write(std::string("\x00world\n", 7)));
  auto first = (*ws)->read();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ((*first)[0], 1);
  std::string echoed = first->substr(1);
  ASSERT_TRUE((*ws)->write(std::string("\xff\x00", 2)));  // close stdin: cat exits
  auto rest = drain(**ws);
  EXPECT_EQ(echoed + rest.stdoutData, "hello world\n");
  EXPECT_EQ(rest.status, R"({"metadata":{},"status":"Success"})");
}

TEST_F(NodeServerExecTest, BadRequestsAreRejectedBeforeTheUpgrade) {
  start();
  auto ws = exec("stdout=1");  // no command
  ASSERT_FALSE(ws);
  EXPECT_NE(ws.error().message().find("400"), std::string::npos) << ws.error().message();
  auto res = get("/exec/default/web/main?command=true&stdout=1");  // no upgrade
  EXPECT_EQ(res.status, 400);
  locator_.setRunning("default", "web", false);
  ws = exec("command=true&stdout=1");
  ASSERT_FALSE(ws);
}

TEST_F(NodeServerExecTest, ClientThatLeavesHasItsProcessKilled) {
  start();
  auto ws = exec("command=sleep&command=300&stdout=1");
  ASSERT_TRUE(ws) << ws.error().message();
  pid_t pid = 0;
  for (int i = 0; i < 200 && pid == 0; ++i) {
    pid = runtime_.lastPid();
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(process::alive(pid));
  ws->reset();  // drops the TCP connection without a close frame
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = !process::alive(pid);
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone);
}

}  // namespace
}  // namespace berth::agent
