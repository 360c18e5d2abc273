// ARM exec against a real `berth up`: a container group runs busybox, POST .../exec hands out a
// WebSocket URI and password, and the socket runs the command in the container (output, exit
// codes, stdin, TTY), refuses a wrong password and a second use, and the POST refuses bad input.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "http/client.h"
#include "http/ws_client.h"
#include "support/up_cluster.h"

namespace berth {
namespace {

using nlohmann::json;

constexpr const char* kSub = "00000000-0000-0000-0000-0000000000e1";
constexpr const char* kVersion = "api-version=2023-05-01";

std::string groupPath(const std::string& name) {
  return fmt::format(
      "/subscriptions/{}/resourceGroups/exec-rg/providers/Microsoft.ContainerInstance/"
      "containerGroups/{}",
      kSub, name);
}

// What a session's socket gave: the bytes of its messages and how it ended.
struct Session {
  std::string output;
  std::string end;  // the read error after the last message (carries the close reason)
  std::vector<std::string> messages;
};

class ArmExecTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // No warm sandbox pool: its namespaces outlive `berth up` (reported), and exec does not
    // need it.
    cluster_ = new testing::UpCluster({"--sandbox-pool-size", "0"});
    ASSERT_TRUE(cluster_->start());
    auto kubeconfig = files::read(cluster_->process().kubeconfig());
    ASSERT_TRUE(kubeconfig);
    auto serverLine = kubeconfig->substr(kubeconfig->find("server: ") + 8);
    url_ = new std::string(serverLine.substr(0, serverLine.find('\n')));
    auto tokens = json::parse(*files::read(cluster_->dir() / "tokens.json"));
    for (const auto& entry : tokens) {
      if (entry["user"] == "system:admin") {
        token_ = new std::string(entry["token"].get<std::string>());
      }
    }
    ASSERT_TRUE(token_);
    json body = {{"location", "local"},
                 {"properties",
                  {{"osType", "Linux"},
                   {"containers",
                    {{{"name", "box"},
                      {"properties",
                       {{"image", cluster_->image("busybox:1")},
                        {"command", {"sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"}},
                        {"resources", {{"requests", {{"cpu", 0.5}, {"memoryInGB", 0.5}}}}}}}}}}}}};
    auto created = call("PUT", groupPath("shell") + "?" + kVersion, body.dump());
    ASSERT_EQ(created.status, 201) << created.body;
  }
  static void TearDownTestSuite() {
    if (cluster_) {
      if (token_) {
        call("DELETE", groupPath("shell") + "?" + kVersion);
        // The group's pod lives in the group's namespace, which tearDown() does not clean.
        bool gone = testing::eventually(
            [] {
              auto pods = call("GET", "/api/v1/pods");
              return pods.status == 200 &&
                     json::parse(pods.body).value("items", json::array()).empty();
            },
            std::chrono::seconds(60));
        if (!gone) {
          std::string log = cluster_->log();
          ADD_FAILURE() << "the group's pod outlived its DELETE: "
                        << call("GET", "/api/v1/pods").body << "\nlog tail:\n"
                        << log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
        }
      }
      cluster_->tearDown();
    }
    delete cluster_;
    delete url_;
    delete token_;
    cluster_ = nullptr;
    url_ = token_ = nullptr;
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "berth log:\n" << cluster_->log() << "\n";
    }
  }

  static http::ClientResponse call(const std::string& method, const std::string& path,
                                   const std::string& body = "") {
    http::ClientOptions options;
    options.caFile = cluster_->dir() / "pki" / "ca.crt";
    options.bearerToken = *token_;
    if (!body.empty()) {
      options.headers["Content-Type"] = "application/json";
    }
    auto response = http::httpRequest(method, *url_ + path, body, options);
    EXPECT_TRUE(response) << method << " " << path;
    return response.value_or(http::ClientResponse{});
  }

  static http::ClientResponse postExec(const std::string& container, const json& body,
                                       const std::string& group = "shell") {
    return call("POST", groupPath(group) + "/containers/" + container + "/exec?" + kVersion,
                body.dump());
  }

  // POSTs the exec, waiting (up to 90 s) while the group is not running yet (409).
  static json startExec(const json& body) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    http::ClientResponse reply;
    do {
      reply = postExec("box", body);
      if (reply.status != 409) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    } while (std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body, nullptr, false);
  }

  static Result<http::WebSocketClientPtr> connect(const std::string& uri) {
    http::WebSocketClientOptions options;
    options.caFile = cluster_->dir() / "pki" / "ca.crt";
    options.timeout = std::chrono::seconds(20);
    return http::WebSocketClient::connect(uri, options);
  }

  // Opens the session, sends `password` and then `input`, and reads until the server closes.
  static Session run(const json& session, const std::string& password,
                     const std::vector<std::string>& input = {}) {
    Session out;
    auto socket = connect(session["webSocketUri"].get<std::string>());
    if (!socket) {
      out.end = "connect: " + socket.error().message();
      return out;
    }
    EXPECT_TRUE((*socket)->write(password));
    for (const auto& data : input) {
      EXPECT_TRUE((*socket)->write(data));
    }
    while (true) {
      auto message = (*socket)->read();
      if (!message) {
        out.end = message.error().message();
        break;
      }
      out.messages.push_back(*message);
      out.output += *message;
    }
    return out;
  }

  static testing::UpCluster* cluster_;
  static std::string* url_;
  static std::string* token_;
};

testing::UpCluster* ArmExecTest::cluster_ = nullptr;
std::string* ArmExecTest::url_ = nullptr;
std::string* ArmExecTest::token_ = nullptr;

TEST_F(ArmExecTest, RunsTheCommandAndClosesWithItsExitCode) {
  json session = startExec({{"command", "echo hello"}});
  ASSERT_TRUE(session.contains("password")) << session;
  std::string uri = session["webSocketUri"];
  std::string host = url_->substr(std::string("https://").size());
  EXPECT_TRUE(uri.starts_with("wss://" + host + "/instances/exec/")) << uri;
  EXPECT_GE(session["password"].get<std::string>().size(), 16u);

  Session hello = run(session, session["password"]);
  EXPECT_EQ(hello.output, "hello\n");
  EXPECT_NE(hello.end.find("(exit code 0)"), std::string::npos) << hello.end;

  // Non-zero codes come through; stderr is output too. ${IFS}: the command splits on spaces.
  json failing = startExec({{"command", "sh -c echo${IFS}oops>&2;exit${IFS}3"}});
  Session three = run(failing, failing["password"]);
  EXPECT_EQ(three.output, "oops\n");
  EXPECT_NE(three.end.find("(exit code 3)"), std::string::npos) << three.end;

  json missing = startExec({{"command", "no-such-binary"}});
  Session notFound = run(missing, missing["password"]);
  EXPECT_EQ(notFound.end.find("exit code 0"), std::string::npos) << notFound.end;
  EXPECT_NE(notFound.end.find("exit code"), std::string::npos) << notFound.end;
}

TEST_F(ArmExecTest, RelaysClientMessagesToStdin) {
  json session = startExec({{"command", "head -n1"}});
  Session head = run(session, session["password"], {"from-stdin\n"});
  EXPECT_EQ(head.output, "from-stdin\n");
  EXPECT_NE(head.end.find("(exit code 0)"), std::string::npos) << head.end;

  // Several messages make one stream; the process sees them in order.
  json cat = startExec({{"command", "head -c 9"}});
  Session parts = run(cat, cat["password"], {"one ", "two ", "3"});
  EXPECT_EQ(parts.output, "one two 3");
  EXPECT_NE(parts.end.find("(exit code 0)"), std::string::npos) << parts.end;
}

TEST_F(ArmExecTest, TerminalSizeGivesATty) {
  json withTty = startExec({{"command", "tty"}, {"terminalSize", {{"rows", 24}, {"cols", 80}}}});
  Session tty = run(withTty, withTty["password"]);
  EXPECT_TRUE(tty.output.starts_with("/dev/")) << tty.output;
  EXPECT_NE(tty.end.find("(exit code 0)"), std::string::npos) << tty.end;

  json without = startExec({{"command", "tty"}});
  Session plain = run(without, without["password"]);
  EXPECT_EQ(plain.output, "not a tty\n");
  EXPECT_NE(plain.end.find("(exit code 1)"), std::string::npos) << plain.end;
}

TEST_F(ArmExecTest, AWrongPasswordAndASecondUseAreRefused) {
  json session = startExec({{"command", "echo secret"}});
  Session wrong = run(session, "not-the-password");
  EXPECT_EQ(wrong.output, "");
  EXPECT_NE(wrong.end.find("(invalid password)"), std::string::npos) << wrong.end;
  // The session was used up by the failed attempt.
  Session again = run(session, session["password"]);
  EXPECT_EQ(again.output, "");
  EXPECT_NE(again.end.find("404"), std::string::npos) << again.end;

  json once = startExec({{"command", "echo once"}});
  Session first = run(once, once["password"]);
  EXPECT_EQ(first.output, "once\n");
  Session second = run(once, once["password"]);
  EXPECT_EQ(second.output, "");
  EXPECT_NE(second.end.find("404"), std::string::npos) << second.end;

  // A made-up session id.
  json madeUp = {{"webSocketUri", "wss://" + url_->substr(8) + "/instances/exec/0123abcd"}};
  Session unknown = run(madeUp, "x");
  EXPECT_NE(unknown.end.find("404"), std::string::npos) << unknown.end;
}

TEST_F(ArmExecTest, RefusesBadRequestsWithArmErrors) {
  startExec({{"command", "true"}});  // the group runs
  auto noContainer = postExec("nope", {{"command", "ls"}});
  EXPECT_EQ(noContainer.status, 404) << noContainer.body;
  EXPECT_EQ(json::parse(noContainer.body)["error"]["code"], "ContainerNotFound");

  auto noGroup = postExec("box", {{"command", "ls"}}, "absent");
  EXPECT_EQ(noGroup.status, 404) << noGroup.body;
  EXPECT_EQ(json::parse(noGroup.body)["error"]["code"], "ResourceNotFound");

  for (const json& body :
       {json{{"terminalSize", {{"rows", 1}}}}, json{{"command", "  "}}, json{{"command", 3}}}) {
    auto bad = postExec("box", body);
    EXPECT_EQ(bad.status, 400) << bad.body;
    EXPECT_EQ(json::parse(bad.body)["error"]["code"], "InvalidRequestContent") << bad.body;
    EXPECT_NE(bad.body.find("command"), std::string::npos) << bad.body;
  }

  // The session URI needs no token, but the POST does.
  http::ClientOptions anonymous;
  anonymous.caFile = cluster_->dir() / "pki" / "ca.crt";
  auto refused =
      http::httpRequest("POST", *url_ + groupPath("shell") + "/containers/box/exec?" + kVersion,
                        R"({"command":"ls"})", anonymous);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
}

}  // namespace
}  // namespace berth
