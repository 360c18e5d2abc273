// GET|POST /exec/{namespace}/{pod}/{container}: the Kubernetes remotecommand protocol over a
// WebSocket (see node_server.h), bridged to the exec'd process's pipes without threads (the
// only thread is the one waiting for the exit status, which the Runtime API offers blocking).

#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/node_server.h"
#include "base/log.h"
#include "http/event.h"

namespace berth::agent {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr char kStdin = 0;
constexpr char kStdout = 1;
constexpr char kStderr = 2;
constexpr char kStatus = 3;
constexpr unsigned char kClose = 255;

// What the coroutines of one exec share. Lives until the last of them ends.
struct ExecState {
  ExecState(asio::any_io_executor executor, http::WebSocketPtr socket)
      : executor(executor),
        ws(std::move(socket)),
        outputsDone(executor),
        exited(executor),
        readerDone(executor) {}

  asio::any_io_executor executor;
  http::WebSocketPtr ws;
  runtime::ExecSession session;
  std::optional<asio::posix::stream_descriptor> in;
  int pumps = 0;
  http::Event outputsDone;
  http::Event exited;
  Result<int> exitCode = 0;
  http::Event readerDone;
  bool finished = false;  // the process was reaped: its pid must not be signalled anymore

  void kill() {
    if (!finished && session.pid > 0) {
      ::kill(session.pid, SIGKILL);
    }
  }
};

// Copies a pipe of the process to a channel of the WebSocket until EOF.
asio::awaitable<void> pump(std::shared_ptr<ExecState> state, int fd, char channel) {
  asio::posix::stream_descriptor pipe(state->executor, fd);
  std::vector<char> buffer(32 * 1024);
  for (;;) {
    error_code ec;
    size_t n = co_await pipe.async_read_some(asio::buffer(buffer.data() + 1, buffer.size() - 1),
                                             asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      break;
    }
    buffer[0] = channel;
    if (!co_await state->ws->write(std::string(buffer.data(), n + 1))) {
      state->kill();  // nobody is listening anymore
      break;
    }
  }
  if (--state->pumps == 0) {
    state->outputsDone.set();
  }
}

// Reads client messages: stdin data, stdin close (v5), resize. Ends when the socket closes;
// a client gone before the process ended has the process killed.
asio::awaitable<void> readClient(std::shared_ptr<ExecState> state) {
  for (;;) {
    auto message = co_await state->ws->read();
    if (!message) {
      state->kill();
      break;
    }
    if (message->empty()) {
      continue;
    }
    unsigned char channel = static_cast<unsigned char>((*message)[0]);
    if (channel == kStdin && state->in && message->size() > 1) {
      error_code ec;
      co_await asio::async_write(*state->in, asio::buffer(message->data() + 1, message->size() - 1),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        state->in.reset();  // the process closed its stdin
      }
    } else if (channel == kClose && message->size() > 1 && (*message)[1] == kStdin) {
      state->in.reset();
    }
    // Channel 4 (resize) needs a tty resize call the Runtime does not offer yet: ignored.
  }
  state->readerDone.set();
}

// Starts copying `fd` to `channel`, or closes it when the client did not ask for the stream.
void startPump(const std::shared_ptr<ExecState>& state, int fd, char channel, bool wanted) {
  if (fd < 0) {
    return;
  }
  if (!wanted) {
    ::close(fd);
    return;
  }
  ++state->pumps;
  asio::co_spawn(state->executor, pump(state, fd, channel), asio::detached);
}

std::string statusMessage(const Result<int>& exit, const std::vector<std::string>& command) {
  nlohmann::ordered_json status;
  status["metadata"] = nlohmann::json::object();
  if (exit && *exit == 0) {
    status["status"] = "Success";
    return status.dump();
  }
  status["status"] = "Failure";
  if (!exit) {
    status["message"] = exit.error().message();
    status["reason"] = "InternalError";
    status["code"] = 500;
    return status.dump();
  }
  std::string joined;
  for (const std::string& arg : command) {
    joined += (joined.empty() ? "" : " ") + arg;
  }
  status["message"] = fmt::format(
      "command terminated with non-zero exit code: error executing command [{}], exit code {}",
      joined, *exit);
  status["reason"] = "NonZeroExitCode";
  nlohmann::ordered_json cause;
  cause["reason"] = "ExitCode";
  cause["message"] = std::to_string(*exit);
  status["details"]["causes"] = nlohmann::ordered_json::array();
  status["details"]["causes"].push_back(cause);
  return status.dump();
}

}  // namespace

asio::awaitable<void> handleExec(http::Context& ctx, ContainerLocator& locator,
                                 runtime::Runtime& runtime,
                                 std::shared_ptr<NodeServer::BlockingCalls> blocking) {
  const http::Request& req = ctx.request();
  runtime::ExecOptions options;
  options.command = req.query.all("command");
  auto in = req.query.flag("stdin");
  auto out = req.query.flag("stdout", true);
  auto err = req.query.flag("stderr", true);
  auto tty = req.query.flag("tty");
  Status flags = !in    ? Status(std::unexpected(in.error()))
                 : !out ? Status(std::unexpected(out.error()))
                 : !err ? Status(std::unexpected(err.error()))
                 : !tty ? Status(std::unexpected(tty.error()))
                        : ok();
  if (!flags) {
    co_await ctx.respondError(flags.error());
    co_return;
  }
  if (options.command.empty()) {
    co_await ctx.respondStatus(400, "you must specify at least 1 command");
    co_return;
  }
  if (!*in && !*out && !*err) {
    co_await ctx.respondStatus(400, "you must specify at least one of stdin, stdout, stderr");
    co_return;
  }
  options.stdin = *in;
  options.tty = *tty;
  const std::string& pod = req.param("pod");
  auto location = locator.locate(req.param("namespace"), pod, req.param("container"));
  if (!location) {
    co_await ctx.respondError(location.error());
    co_return;
  }
  if (!location->running) {
    co_await ctx.respondStatus(
        400, fmt::format("container '{}' in pod '{}' is not running", location->container, pod));
    co_return;
  }
  if (!ctx.isWebSocketUpgrade()) {
    co_await ctx.respondStatus(400, "exec needs a websocket upgrade (v5.channel.k8s.io)");
    co_return;
  }
  // A named vector: GCC 12 miscompiles braced-init temporaries inside co_await expressions.
  std::vector<std::string> protocols = {"v5.channel.k8s.io", "v4.channel.k8s.io"};
  auto socket = co_await ctx.acceptWebSocket(std::move(protocols));
  if (!socket) {
    if (socket.error().code() == ErrorCode::kInvalidArgument) {
      co_await ctx.respondError(socket.error());
    }
    co_return;
  }
  auto state = std::make_shared<ExecState>(ctx.executor(), *socket);
  auto session = runtime.exec(location->dir, options);
  if (!session) {
    (void)co_await state->ws->write(std::string(1, kStatus) +
                                    statusMessage(fail(session.error()), options.command));
    co_await state->ws->close();
    co_return;
  }
  state->session = *session;
  // Unwanted streams are closed at once: the process sees EOF / EPIPE, as with kubelet.
  if (session->stdinFd >= 0) {
    state->in.emplace(state->executor, session->stdinFd);
  }
  asio::co_spawn(state->executor, readClient(state), asio::detached);
  startPump(state, session->stdoutFd, kStdout, *out);
  startPump(state, session->stderrFd, kStderr, *err);
  if (state->pumps == 0) {
    state->outputsDone.set();
  }
  co_await state->outputsDone.wait();

  {
    std::lock_guard lock(blocking->mu);
    ++blocking->running;
  }
  std::thread([state, &runtime, blocking] {
    Result<int> code = runtime.waitExec(state->session);
    asio::post(state->executor, [state, code] {
      state->exitCode = code;
      state->finished = true;
      state->exited.set();
    });
    std::lock_guard lock(blocking->mu);
    --blocking->running;
    blocking->cv.notify_all();
  }).detach();
  co_await state->exited.wait();
  state->in.reset();

  (void)co_await state->ws->write(std::string(1, kStatus) +
                                  statusMessage(state->exitCode, options.command));
  co_await state->ws->close();
  // The reader ends when the client answers the close (or the socket times out).
  co_await state->readerDone.waitFor(std::chrono::seconds(5));
}

}  // namespace berth::agent
