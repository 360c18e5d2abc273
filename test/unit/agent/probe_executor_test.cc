#include "agent/probe_executor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/use_awaitable.hpp>

#include "http/server.h"

namespace berth::agent {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A TCP socket listening on 127.0.0.1 that never answers; closed by the destructor.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { close(); }
  void close() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  std::string port() const { return std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class HttpProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::Router router;
    router.add("GET", "/ok", [](http::Context& ctx) -> asio::awaitable<void> {
      co_await ctx.respond(200, "text/plain", "fine");
    });
    router.add("GET", "/redirect", [](http::Context& ctx) -> asio::awaitable<void> {
      co_await ctx.respond(302, "text/plain", "");
    });
    router.add("GET", "/bad", [](http::Context& ctx) -> asio::awaitable<void> {
      co_await ctx.respond(500, "text/plain", "broken");
    });
    router.add("GET", "/headers", [](http::Context& ctx) -> asio::awaitable<void> {
      const auto& req = ctx.request();
      std::string seen = req.header("host").value_or("") + "|" +
                         req.header("x-probe").value_or("") + "|" +
                         req.header("user-agent").value_or("");
      co_await ctx.respond(200, "text/plain", seen);
    });
    server_ = std::make_unique<http::Server>(http::ServerOptions{}, std::move(router));
    ASSERT_TRUE(server_->start());
    port_ = std::to_string(server_->port());
  }

  ProbeRun get(const std::string& path, std::vector<api::HttpHeader> headers = {},
               std::string port = "") {
    api::HttpGetAction a;
    a.path = path;
    a.port = port.empty() ? port_ : port;
    a.httpHeaders = std::move(headers);
    return probeHttp(a, "127.0.0.1", ports_, 1000ms);
  }

  std::unique_ptr<http::Server> server_;
  std::string port_;
  std::vector<api::ContainerPort> ports_;
};

TEST_F(HttpProbeTest, SuccessBelow400AndFailureWithStatusCode) {
  auto ok = get("/ok");
  EXPECT_EQ(ok.outcome, ProbeOutcome::kSuccess);
  EXPECT_EQ(ok.output, "fine");
  EXPECT_EQ(get("/redirect").outcome, ProbeOutcome::kSuccess);
  auto bad = get("/bad");
  EXPECT_EQ(bad.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(bad.output, "HTTP probe failed with statuscode: 500");
  EXPECT_EQ(get("/missing").output, "HTTP probe failed with statuscode: 404");
}

TEST_F(HttpProbeTest, HostHeaderCustomHeadersAndUserAgent) {
  auto run = get("/headers", {{"Host", "example.test"}, {"X-Probe", "yes"}});
  EXPECT_EQ(run.outcome, ProbeOutcome::kSuccess);
  EXPECT_EQ(run.output, "example.test|yes|kube-probe/1.32");
}

TEST_F(HttpProbeTest, NamedPortIsResolvedFromTheContainerPorts) {
  ports_.push_back(api::ContainerPort{.name = "http", .containerPort = server_->port()});
  EXPECT_EQ(get("/ok", {}, "http").outcome, ProbeOutcome::kSuccess);
  EXPECT_EQ(get("/ok", {}, "nope").outcome, ProbeOutcome::kUnknown);
  EXPECT_EQ(resolveProbePort("8080", {}), 8080);
  EXPECT_EQ(resolveProbePort("0", {}), -1);
  EXPECT_EQ(resolveProbePort("70000", {}), -1);
}

TEST_F(HttpProbeTest, RefusedAndTimedOut) {
  Listener closed;
  std::string port = closed.port();
  closed.close();
  auto refused = get("/", {}, port);
  EXPECT_EQ(refused.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(refused.output.rfind("Get \"http://127.0.0.1:" + port + "/\": ", 0), 0u)
      << refused.output;

  Listener silent;  // accepts connections (backlog) and never answers
  auto start = std::chrono::steady_clock::now();
  auto slow = get("/", {}, silent.port());
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(slow.outcome, ProbeOutcome::kFailure);
  EXPECT_NE(slow.output.find("context deadline exceeded"), std::string::npos) << slow.output;
  EXPECT_LT(took, 3s);
}

TEST(TcpProbeTest, ConnectsOrFails) {
  Listener open;
  api::TcpSocketAction a;
  a.port = open.port();
  EXPECT_EQ(probeTcp(a, "127.0.0.1", {}, 1000ms).outcome, ProbeOutcome::kSuccess);
  a.port = "web";
  std::vector<api::ContainerPort> ports = {
      api::ContainerPort{.name = "web", .containerPort = std::stoi(open.port())}};
  EXPECT_EQ(probeTcp(a, "127.0.0.1", ports, 1000ms).outcome, ProbeOutcome::kSuccess);

  Listener closed;
  a.port = closed.port();
  closed.close();
  auto run = probeTcp(a, "127.0.0.1", {}, 1000ms);
  EXPECT_EQ(run.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(run.output, "dial tcp 127.0.0.1:" + a.port + ": connect: Connection refused");
}

// A runtime whose exec runs the command on the host (sh), to test the exec prober.
class HostExecRuntime final : public runtime::Runtime {
 public:
  Result<runtime::ContainerState> start(const runtime::ContainerSpec&) override {
    return fail(ErrorCode::kInternal, "unused");
  }
  runtime::ContainerState state(const std::filesystem::path&) override { return {}; }
  Status stop(const std::filesystem::path&, std::chrono::milliseconds) override { return ok(); }
  Status remove(const std::filesystem::path&) override { return ok(); }
  Result<runtime::ExecSession> exec(const std::filesystem::path& dir,
                                    const runtime::ExecOptions& options) override {
    if (dir == "stopped") {
      return fail(ErrorCode::kConflict, "container 'x' is not running");
    }
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      return fail(ErrorCode::kInternal, "pipe");
    }
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      std::vector<char*> argv;
      for (const auto& a : options.command) {
        argv.push_back(const_cast<char*>(a.c_str()));
      }
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    return runtime::ExecSession{pid, -1, out[0], err[0]};
  }
  Result<int> waitExec(const runtime::ExecSession& session) override {
    int status = 0;
    ::waitpid(session.pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  Result<std::vector<std::string>> listIds() override { return std::vector<std::string>{}; }
  Status forceDelete(const std::string&) override { return ok(); }
};

TEST(ExecProbeTest, ExitCodeDecidesAndOutputIsKept) {
  HostExecRuntime rt;
  auto ok = probeExec(rt, api::ExecAction{{"sh", "-c", "echo fine"}}, "c", 2000ms);
  EXPECT_EQ(ok.outcome, ProbeOutcome::kSuccess);
  EXPECT_EQ(ok.output, "fine\n");
  auto bad = probeExec(rt, api::ExecAction{{"sh", "-c", "echo nope >&2; exit 3"}}, "c", 2000ms);
  EXPECT_EQ(bad.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(bad.output, "nope\n");
  auto stopped = probeExec(rt, api::ExecAction{{"true"}}, "stopped", 2000ms);
  EXPECT_EQ(stopped.outcome, ProbeOutcome::kUnknown);
}

TEST(ExecProbeTest, TimeoutKillsTheCommand) {
  HostExecRuntime rt;
  auto start = std::chrono::steady_clock::now();
  auto run = probeExec(rt, api::ExecAction{{"sleep", "10"}}, "c", 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(run.outcome, ProbeOutcome::kFailure);
  EXPECT_EQ(run.output, "command \"sleep 10\" timed out");
}

}  // namespace
}  // namespace berth::agent
