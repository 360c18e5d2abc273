#pragma once

// An HTTP/1.1 server (Boost.Asio/Beast, C++20 coroutines) with TLS, bearer-token
// authentication, routing, chunked streaming responses and WebSocket upgrades.
//
// Each connection runs as one coroutine on its own strand; a handler (see router.h) is a
// coroutine answering through a Context. A pool of io threads runs all connections, so a
// handler must never block: wait with co_await (Event, timers, asio descriptors) and move
// blocking calls to a thread of their own.
//
//   Router router;
//   router.add("GET", "/hello/{name}", [](Context& ctx) -> asio::awaitable<void> {
//     co_await ctx.respond(200, "text/plain", "hi " + ctx.request().param("name"));
//   });
//   Server server(ServerOptions{.port = 0}, std::move(router));
//   BERTH_TRY_STATUS(server.start());   // server.port() is the bound port
//
// GCC 12 pitfalls in coroutines: a braced list inside a co_await expression
// (`co_await f({"a", "b"})`) fails to compile ("array used as initializer"), and a
// conditional expression yielding a temporary (`co_await f(c ? s : "x")`) is miscompiled
// (the string is freed twice). Build a named variable first.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "http/auth.h"
#include "http/request.h"
#include "http/router.h"

namespace berth::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // address to listen on ("0.0.0.0", "::", "127.0.0.1")
  uint16_t port = 0;               // 0: an ephemeral port, see Server::port()
  int threads = 1;                 // io threads
  // PEM files of the serving certificate (chain) and key; both empty: plain HTTP.
  std::filesystem::path certFile;
  std::filesystem::path keyFile;
  size_t bodyLimit = size_t{4} * 1024 * 1024;  // larger request bodies get 413
  // Checks bearer tokens of routes that require authentication; null: every route is open.
  AuthenticatorPtr authenticator;
  std::string name = "http";  // for log lines
};

// A WebSocket connection accepted by Context::acceptWebSocket. Reads must not overlap each
// other; writes and close may be called from several coroutines of the connection at once
// (they are queued). All calls on the connection's executor.
class WebSocket {
 public:
  virtual ~WebSocket() = default;
  // The negotiated subprotocol ("v5.channel.k8s.io"), empty when none.
  virtual const std::string& protocol() const = 0;
  // The next message (binary or text). kUnavailable once the peer closed or the connection
  // broke.
  virtual boost::asio::awaitable<Result<std::string>> read() = 0;
  // Sends one message (binary unless `text`). kUnavailable when the connection is gone.
  virtual boost::asio::awaitable<Status> write(std::string message, bool text = false) = 0;
  // Sends a close frame (normal closure). A read in progress then ends with kUnavailable.
  boost::asio::awaitable<void> close();
  // Sends a close frame with `code` (1000 normal, 1008 policy violation, 1011 internal error)
  // and `reason` (at most 123 bytes; longer ones are cut). Later writes fail; a second close
  // does nothing.
  virtual boost::asio::awaitable<void> close(uint16_t code, std::string reason) = 0;
};

using WebSocketPtr = std::shared_ptr<WebSocket>;

// One request being answered. Exactly one of respond(), beginStream() ... end(), or
// acceptWebSocket() is used per request; a handler that does none gets a 500 sent for it.
class Context {
 public:
  virtual ~Context() = default;

  virtual const Request& request() const = 0;
  // Who sent the request (routes requiring authentication), else nullopt.
  virtual const std::optional<Identity>& identity() const = 0;
  // The connection's strand: spawn helper coroutines and create timers/descriptors on it.
  virtual boost::asio::any_io_executor executor() const = 0;

  // Sends a complete response.
  boost::asio::awaitable<void> respond(int status, std::string contentType, std::string body);
  // Sends a complete response with extra headers.
  virtual boost::asio::awaitable<void> respond(int status, std::string contentType,
                                               std::string body,
                                               std::map<std::string, std::string> headers) = 0;
  // Sends a Kubernetes Status (see k8s_status.h) with the code and its standard reason.
  boost::asio::awaitable<void> respondStatus(int code, std::string message);
  // respondStatus with the HTTP code for the Error's code and its message.
  boost::asio::awaitable<void> respondError(const Error& error);

  // Starts a chunked response (the connection closes after it). kUnavailable when the client
  // is gone.
  virtual boost::asio::awaitable<Status> beginStream(int status, std::string contentType) = 0;
  // Sends one chunk and flushes it. kUnavailable once the client disconnected.
  virtual boost::asio::awaitable<Status> write(std::string chunk) = 0;
  // Sends the final chunk.
  virtual boost::asio::awaitable<void> end() = 0;
  // While streaming: whether the client closed its side of the connection.
  virtual bool disconnected() const = 0;
  // Calls `fn` (on the executor) when the client disconnects while streaming; at most once,
  // never after the handler returned.
  virtual void onDisconnect(std::function<void()> fn) = 0;

  // Whether the request asks for a WebSocket upgrade.
  virtual bool isWebSocketUpgrade() const = 0;
  // Completes the upgrade, choosing the first of `protocols` (in our order of preference)
  // that the client offered in Sec-WebSocket-Protocol. kInvalidArgument (nothing sent yet:
  // answer with respondError) when the request is no upgrade or the client offered
  // protocols none of which we support; kUnavailable when the handshake failed.
  virtual boost::asio::awaitable<Result<WebSocketPtr>> acceptWebSocket(
      std::vector<std::string> protocols) = 0;
};

class Server {
 public:
  Server(ServerOptions options, Router router);
  // Stops the server if it runs.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads TLS material, binds, listens and starts the io threads. Errors: kInvalidArgument
  // for a bad host or unreadable TLS files, kUnavailable when the address cannot be bound.
  Status start();
  // The bound port (after start()).
  uint16_t port() const;
  // Stops accepting, closes every open connection (streams and WebSockets end, handlers see
  // the disconnect), waits up to `grace` for handlers to return and joins the io threads.
  // Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(3));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::http
