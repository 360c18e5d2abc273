#include "http/server.h"

#include <fcntl.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <future>
#include <list>
#include <mutex>
#include <set>
#include <thread>

#include "base/log.h"
#include "http/event.h"
#include "http/k8s_status.h"

namespace berth::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ws = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using BeastRequest = bhttp::request<bhttp::string_body>;

constexpr auto kAwait = asio::use_awaitable;
constexpr const char* kServerName = "berth";

asio::awaitable<void> Context::respond(int status, std::string contentType, std::string body) {
  std::map<std::string, std::string> noHeaders;
  co_await respond(status, std::move(contentType), std::move(body), std::move(noHeaders));
}

asio::awaitable<void> Context::respondStatus(int code, std::string message) {
  co_await respond(code, "application/json", failureStatusJson(code, reasonFor(code), message));
}

asio::awaitable<void> Context::respondError(const Error& error) {
  co_await respondStatus(httpCodeFor(error.code()), error.message());
}

asio::awaitable<void> WebSocket::close() {
  co_await close(1000, std::string());
}

namespace {

tcp::socket& socketOf(PlainStream& s) {
  return s.socket();
}
tcp::socket& socketOf(TlsStream& s) {
  return s.next_layer().socket();
}

// Serialises writes (and close) of a WebSocket: Beast allows one outstanding write at a time.
class AsyncMutex {
 public:
  asio::awaitable<void> lock(const asio::any_io_executor& executor) {
    while (locked_) {
      asio::steady_timer timer(executor, std::chrono::hours(24));
      auto it = waiters_.insert(waiters_.end(), &timer);
      error_code ec;
      co_await timer.async_wait(asio::redirect_error(kAwait, ec));
      waiters_.erase(it);
    }
    locked_ = true;
  }
  void unlock() {
    locked_ = false;
    if (!waiters_.empty()) {
      waiters_.front()->cancel();
    }
  }

 private:
  bool locked_ = false;
  std::list<asio::steady_timer*> waiters_;
};

template <class Stream>
class WebSocketImpl final : public WebSocket {
 public:
  WebSocketImpl(Stream&& stream, std::string protocol)
      : ws_(std::move(stream)), protocol_(std::move(protocol)) {}

  using WebSocket::close;

  ws::stream<Stream>& stream() { return ws_; }
  const std::string& protocol() const override { return protocol_; }

  asio::awaitable<Result<std::string>> read() override {
    beast::flat_buffer buffer;
    error_code ec;
    co_await ws_.async_read(buffer, asio::redirect_error(kAwait, ec));
    if (ec) {
      co_return fail(ErrorCode::kUnavailable, "websocket closed: {}", ec.message());
    }
    co_return beast::buffers_to_string(buffer.data());
  }

  asio::awaitable<Status> write(std::string message, bool text) override {
    co_await mutex_.lock(ws_.get_executor());
    error_code ec;
    if (closed_) {
      ec = ws::error::closed;
    } else {
      ws_.text(text);
      co_await ws_.async_write(asio::buffer(message), asio::redirect_error(kAwait, ec));
    }
    mutex_.unlock();
    if (ec) {
      co_return fail(ErrorCode::kUnavailable, "websocket write: {}", ec.message());
    }
    co_return ok();
  }

  asio::awaitable<void> close(uint16_t code, std::string reason) override {
    co_await mutex_.lock(ws_.get_executor());
    if (!closed_ && ws_.is_open()) {
      closed_ = true;
      if (reason.size() > 123) {  // the close frame's payload is at most 125 bytes
        reason.resize(123);
      }
      error_code ec;
      ws::close_reason why(static_cast<ws::close_code>(code), reason);
      co_await ws_.async_close(why, asio::redirect_error(kAwait, ec));
    }
    mutex_.unlock();
  }

  void closeSocket() {
    error_code ec;
    socketOf(ws_.next_layer()).close(ec);
  }

 private:
  ws::stream<Stream> ws_;
  std::string protocol_;
  AsyncMutex mutex_;
  bool closed_ = false;
};

// Asio (1.74) creates sockets without O_CLOEXEC: without this, processes started by
// handlers (exec) would inherit client connections and keep them open.
void setCloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  if (flags >= 0) {
    fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

// State shared by the server and its connections.
struct Shared {
  ServerOptions options;
  Router router;
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::shared_ptr<std::function<void()>>> closers;  // one per open connection
  bool stopping = false;
};

template <class Stream>
struct Connection {
  explicit Connection(Stream&& s) : stream(std::move(s)) {}
  Stream stream;
  beast::flat_buffer buffer;
  bool upgraded = false;  // `stream` was moved into a WebSocket
  bool gone = false;      // the client disconnected while we streamed
  std::vector<std::function<void()>> onGone;
  std::weak_ptr<WebSocketImpl<Stream>> webSocket;

  void closeSocket() {
    if (auto w = webSocket.lock()) {
      w->closeSocket();
    } else if (!upgraded) {
      error_code ec;
      socketOf(stream).close(ec);
    }
  }
};

// ws::is_upgrade without its GET-only rule.
bool isUpgrade(const BeastRequest& req) {
  auto lower = [](beast::string_view v) {
    std::string out(v.data(), v.size());
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
  };
  return lower(req[bhttp::field::connection]).find("upgrade") != std::string::npos &&
         lower(req[bhttp::field::upgrade]).find("websocket") != std::string::npos;
}

template <class Stream>
class ContextImpl final : public Context {
 public:
  ContextImpl(std::shared_ptr<Connection<Stream>> conn, BeastRequest& raw, Request request,
              std::optional<Identity> identity)
      : conn_(std::move(conn)),
        executor_(conn_->stream.get_executor()),
        raw_(raw),
        request_(std::move(request)),
        identity_(std::move(identity)) {}
  ~ContextImpl() override { conn_->onGone.clear(); }

  using Context::respond;

  const Request& request() const override { return request_; }
  const std::optional<Identity>& identity() const override { return identity_; }
  // Cached: after a WebSocket upgrade the stream is moved out (a moved-from ssl_stream has no
  // executor).
  asio::any_io_executor executor() const override { return executor_; }
  bool answered() const { return answered_; }
  bool keepConnection() const { return keepAlive_ && !streamed_ && !conn_->upgraded && !failed_; }

  asio::awaitable<void> respond(int status, std::string contentType, std::string body,
                                std::map<std::string, std::string> headers) override {
    answered_ = true;
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), raw_.version()};
    res.set(bhttp::field::server, kServerName);
    res.set(bhttp::field::content_type, contentType);
    for (const auto& [name, value] : headers) {
      res.set(name, value);
    }
    res.keep_alive(raw_.keep_alive());
    keepAlive_ = raw_.keep_alive();
    res.body() = std::move(body);
    res.prepare_payload();
    error_code ec;
    co_await bhttp::async_write(conn_->stream, res, asio::redirect_error(kAwait, ec));
    failed_ = failed_ || static_cast<bool>(ec);
  }

  asio::awaitable<Status> beginStream(int status, std::string contentType) override {
    answered_ = true;
    streamed_ = true;
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(status), raw_.version()};
    res.set(bhttp::field::server, kServerName);
    res.set(bhttp::field::content_type, contentType);
    res.set(bhttp::field::cache_control, "no-cache, private");
    res.keep_alive(false);
    res.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> serializer{res};
    error_code ec;
    co_await bhttp::async_write_header(conn_->stream, serializer, asio::redirect_error(kAwait, ec));
    if (ec) {
      failed_ = true;
      conn_->gone = true;
      co_return fail(ErrorCode::kUnavailable, "stream: {}", ec.message());
    }
    // The client sends nothing more: a completed read means it closed the connection.
    asio::co_spawn(executor(), watchDisconnect(conn_), asio::detached);
    co_return ok();
  }

  asio::awaitable<Status> write(std::string chunk) override {
    if (conn_->gone || failed_) {
      co_return fail(ErrorCode::kUnavailable, "client disconnected");
    }
    if (chunk.empty()) {
      co_return ok();  // an empty chunk would end the response
    }
    error_code ec;
    // A client that stops reading but keeps the connection open must not hold us forever.
    beast::get_lowest_layer(conn_->stream).expires_after(std::chrono::seconds(60));
    co_await asio::async_write(conn_->stream, bhttp::make_chunk(asio::buffer(chunk)),
                               asio::redirect_error(kAwait, ec));
    beast::get_lowest_layer(conn_->stream).expires_never();
    if (ec) {
      failed_ = true;
      markGone(*conn_);
      co_return fail(ErrorCode::kUnavailable, "client disconnected: {}", ec.message());
    }
    co_return ok();
  }

  asio::awaitable<void> end() override {
    if (conn_->gone || failed_) {
      co_return;
    }
    error_code ec;
    beast::get_lowest_layer(conn_->stream).expires_after(std::chrono::seconds(10));
    co_await asio::async_write(conn_->stream, bhttp::make_chunk_last(),
                               asio::redirect_error(kAwait, ec));
    beast::get_lowest_layer(conn_->stream).expires_never();
    failed_ = failed_ || static_cast<bool>(ec);
  }

  bool disconnected() const override { return conn_->gone; }

  void onDisconnect(std::function<void()> fn) override {
    if (conn_->gone) {
      asio::post(executor(), std::move(fn));
      return;
    }
    conn_->onGone.push_back(std::move(fn));
  }

  bool isWebSocketUpgrade() const override { return isUpgrade(raw_); }

  asio::awaitable<Result<WebSocketPtr>> acceptWebSocket(
      std::vector<std::string> protocols) override {
    if (!isUpgrade(raw_)) {
      co_return fail(ErrorCode::kInvalidArgument, "websocket upgrade required");
    }
    std::string offered(raw_[bhttp::field::sec_websocket_protocol]);
    std::vector<std::string> offers;
    for (size_t pos = 0; pos < offered.size();) {
      size_t comma = offered.find(',', pos);
      std::string item =
          offered.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      size_t b = item.find_first_not_of(" \t");
      size_t e = item.find_last_not_of(" \t");
      if (b != std::string::npos) {
        offers.push_back(item.substr(b, e - b + 1));
      }
      pos = comma == std::string::npos ? offered.size() : comma + 1;
    }
    std::string chosen;
    for (const std::string& p : protocols) {
      if (chosen.empty() && std::find(offers.begin(), offers.end(), p) != offers.end()) {
        chosen = p;
      }
    }
    if (chosen.empty() && !offers.empty() && !protocols.empty()) {
      co_return fail(ErrorCode::kInvalidArgument,
                     "none of the offered websocket subprotocols '{}' is supported", offered);
    }
    answered_ = true;
    conn_->upgraded = true;
    auto socket = std::make_shared<WebSocketImpl<Stream>>(std::move(conn_->stream), chosen);
    conn_->webSocket = socket;
    auto& wsStream = socket->stream();
    beast::get_lowest_layer(wsStream).expires_never();
    wsStream.set_option(ws::stream_base::timeout::suggested(beast::role_type::server));
    wsStream.set_option(ws::stream_base::decorator([chosen](ws::response_type& res) {
      res.set(bhttp::field::server, kServerName);
      if (!chosen.empty()) {
        res.set(bhttp::field::sec_websocket_protocol, chosen);
      }
    }));
    wsStream.binary(true);
    error_code ec;
    // Beast accepts only GET upgrades (RFC 6455); Kubernetes clients may upgrade a POST.
    raw_.method(bhttp::verb::get);
    co_await wsStream.async_accept(raw_, asio::redirect_error(kAwait, ec));
    if (ec) {
      co_return fail(ErrorCode::kUnavailable, "websocket handshake: {}", ec.message());
    }
    co_return WebSocketPtr(socket);
  }

 private:
  static void markGone(Connection<Stream>& conn) {
    if (conn.gone) {
      return;
    }
    conn.gone = true;
    auto callbacks = std::move(conn.onGone);
    conn.onGone.clear();
    for (auto& fn : callbacks) {
      fn();
    }
  }

  static asio::awaitable<void> watchDisconnect(std::shared_ptr<Connection<Stream>> conn) {
    char buf[256];
    error_code ec;
    while (!ec && !conn->upgraded) {
      co_await socketOf(conn->stream)
          .async_read_some(asio::buffer(buf), asio::redirect_error(kAwait, ec));
    }
    markGone(*conn);
  }

  std::shared_ptr<Connection<Stream>> conn_;
  asio::any_io_executor executor_;
  BeastRequest& raw_;
  Request request_;
  std::optional<Identity> identity_;
  bool answered_ = false;
  bool streamed_ = false;
  bool keepAlive_ = false;
  bool failed_ = false;
};

// Fills our Request from Beast's; an Error for a malformed query.
Result<Request> toRequest(BeastRequest& raw, const std::string& remote) {
  Request req;
  req.method = std::string(raw.method_string());
  req.target = std::string(raw.target());
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) {
    BERTH_ASSIGN_OR_RETURN(req.query, Query::parse(std::string_view(req.target).substr(q + 1)));
  }
  for (const auto& field : raw) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = req.headers.emplace(name, std::string(field.value()));
    if (!inserted) {
      it->second += ", " + std::string(field.value());
    }
  }
  req.body = std::move(raw.body());
  req.remoteAddress = remote;
  return req;
}

template <class Stream>
asio::awaitable<void> answer(Shared& shared, std::shared_ptr<Connection<Stream>> conn,
                             BeastRequest& raw, const std::string& remote, bool& keep) {
  keep = false;
  auto request = toRequest(raw, remote);
  auto match = request ? shared.router.match(request->method, request->path) : Router::Match{};
  std::optional<Identity> identity;
  int code = 0;
  std::string message;
  if (!request) {
    code = 400;
    message = request.error().message();
    request = Request{};
  } else if (match.kind == Router::MatchKind::kNotFound) {
    code = 404;
    message = "the server could not find the requested resource";
  } else if (match.kind == Router::MatchKind::kMethodNotAllowed) {
    code = 405;
    message = fmt::format("method '{}' not allowed", request->method);
  } else if (match.route->options.authenticated && shared.options.authenticator) {
    auto header = raw[bhttp::field::authorization];
    auto token = bearerToken(std::string_view(header.data(), header.size()));
    if (token) {
      identity = shared.options.authenticator->authenticate(*token);
    }
    if (!identity) {
      code = 401;
      message = "Unauthorized";
    }
  }
  request->params = std::move(match.params);
  spdlog::debug("{}: {} {} {}", shared.options.name, remote, request->method, request->path);
  ContextImpl<Stream> ctx(conn, raw, std::move(*request), std::move(identity));
  if (code != 0) {
    co_await ctx.respondStatus(code, message);
  } else {
    try {
      co_await match.route->handler(ctx);
    } catch (const std::exception& e) {
      spdlog::error("{}: handler for '{}' failed: {}", shared.options.name, ctx.request().path,
                    e.what());
    }
    if (!ctx.answered()) {
      co_await ctx.respondStatus(500, "internal error: the handler did not respond");
    }
  }
  keep = ctx.keepConnection();
}

template <class Stream>
asio::awaitable<void> serve(std::shared_ptr<Shared> shared,
                            std::shared_ptr<Connection<Stream>> conn, std::string remote) {
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(shared->options.bodyLimit);
    parser.header_limit(64 * 1024);
    error_code ec;
    beast::get_lowest_layer(conn->stream).expires_after(std::chrono::seconds(120));
    co_await bhttp::async_read(conn->stream, conn->buffer, parser,
                               asio::redirect_error(kAwait, ec));
    beast::get_lowest_layer(conn->stream).expires_never();
    if (ec == bhttp::error::body_limit) {
      std::string body = failureStatusJson(413, reasonFor(413), "request body too large");
      bhttp::response<bhttp::string_body> res{bhttp::status::payload_too_large, 11};
      res.set(bhttp::field::content_type, "application/json");
      res.keep_alive(false);
      res.body() = std::move(body);
      res.prepare_payload();
      co_await bhttp::async_write(conn->stream, res, asio::redirect_error(kAwait, ec));
      break;
    }
    if (ec) {
      break;
    }
    BeastRequest raw = parser.release();
    bool keep = false;
    co_await answer(*shared, conn, raw, remote, keep);
    if (!keep) {
      break;
    }
  }
  if (!conn->upgraded) {
    error_code ec;
    socketOf(conn->stream).shutdown(tcp::socket::shutdown_both, ec);
    socketOf(conn->stream).close(ec);
  }
}

// Runs one connection from accept to close, registered so that stop() can close it.
asio::awaitable<void> runConnection(std::shared_ptr<Shared> shared, tcp::socket socket,
                                    asio::ssl::context* tls) {
  error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  std::string remote =
      ec ? "unknown" : fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
  auto closer = std::make_shared<std::function<void()>>();
  {
    std::lock_guard lock(shared->mu);
    if (shared->stopping) {
      co_return;
    }
    shared->closers.insert(closer);
  }
  auto executor = socket.get_executor();
  try {
    if (tls) {
      auto conn = std::make_shared<Connection<TlsStream>>(TlsStream(std::move(socket), *tls));
      *closer = [executor, weak = std::weak_ptr(conn)] {
        asio::post(executor, [weak] {
          if (auto c = weak.lock()) {
            c->closeSocket();
          }
        });
      };
      beast::get_lowest_layer(conn->stream).expires_after(std::chrono::seconds(30));
      co_await conn->stream.async_handshake(asio::ssl::stream_base::server,
                                            asio::redirect_error(kAwait, ec));
      if (!ec) {
        co_await serve(shared, conn, remote);
      }
    } else {
      auto conn = std::make_shared<Connection<PlainStream>>(PlainStream(std::move(socket)));
      *closer = [executor, weak = std::weak_ptr(conn)] {
        asio::post(executor, [weak] {
          if (auto c = weak.lock()) {
            c->closeSocket();
          }
        });
      };
      co_await serve(shared, conn, remote);
    }
  } catch (const std::exception& e) {
    spdlog::warn("{}: connection from {}: {}", shared->options.name, remote, e.what());
  }
  std::lock_guard lock(shared->mu);
  shared->closers.erase(closer);
  shared->cv.notify_all();
}

}  // namespace

struct Server::Impl {
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  asio::io_context ioc;
  std::optional<asio::ssl::context> tls;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;

  asio::awaitable<void> acceptLoop() {
    for (;;) {
      tcp::socket socket(asio::make_strand(ioc));
      error_code ec;
      co_await acceptor->async_accept(socket, asio::redirect_error(kAwait, ec));
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) {
        co_return;
      }
      if (ec) {
        spdlog::warn("{}: accept: {}", shared->options.name, ec.message());
        continue;
      }
      setCloexec(socket.native_handle());
      auto executor = socket.get_executor();
      asio::co_spawn(executor, runConnection(shared, std::move(socket), tls ? &*tls : nullptr),
                     asio::detached);
    }
  }
};

Server::Server(ServerOptions options, Router router) : impl_(std::make_unique<Impl>()) {
  impl_->shared->options = std::move(options);
  impl_->shared->router = std::move(router);
}

Server::~Server() {
  stop();
}

Status Server::start() {
  const ServerOptions& options = impl_->shared->options;
  if (!options.certFile.empty() || !options.keyFile.empty()) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    error_code ec;
    impl_->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                                asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                                asio::ssl::context::no_tlsv1_1,
                            ec);
    impl_->tls->use_certificate_chain_file(options.certFile.string(), ec);
    if (ec) {
      return fail(ErrorCode::kInvalidArgument, "certificate '{}': {}", options.certFile.string(),
                  ec.message());
    }
    impl_->tls->use_private_key_file(options.keyFile.string(), asio::ssl::context::pem, ec);
    if (ec) {
      return fail(ErrorCode::kInvalidArgument, "key '{}': {}", options.keyFile.string(),
                  ec.message());
    }
  }
  error_code ec;
  auto address = asio::ip::make_address(options.host, ec);
  if (ec) {
    return fail(ErrorCode::kInvalidArgument, "listen address '{}': {}", options.host, ec.message());
  }
  tcp::endpoint endpoint(address, options.port);
  impl_->acceptor.emplace(impl_->ioc);
  impl_->acceptor->open(endpoint.protocol(), ec);
  if (!ec) {
    setCloexec(impl_->acceptor->native_handle());
    impl_->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    impl_->acceptor->bind(endpoint, ec);
  }
  if (!ec) {
    impl_->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return fail(ErrorCode::kUnavailable, "listen on '{}:{}': {}", options.host, options.port,
                ec.message());
  }
  impl_->port = impl_->acceptor->local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->acceptLoop(), asio::detached);
  impl_->started = true;
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  spdlog::info("{}: listening on {}:{} ({})", options.name, options.host, impl_->port,
               impl_->tls ? "https" : "http");
  return ok();
}

uint16_t Server::port() const {
  return impl_->port;
}

void Server::stop(std::chrono::milliseconds grace) {
  if (!impl_->started || impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  std::promise<void> closed;
  asio::post(impl_->ioc, [this, &closed] {
    error_code ec;
    impl_->acceptor->close(ec);
    closed.set_value();
  });
  closed.get_future().wait();
  {
    std::unique_lock lock(impl_->shared->mu);
    impl_->shared->stopping = true;
    for (const auto& closer : impl_->shared->closers) {
      (*closer)();
    }
    impl_->shared->cv.wait_for(lock, grace, [this] { return impl_->shared->closers.empty(); });
  }
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) {
    t.join();
  }
  impl_->threads.clear();
}

}  // namespace berth::http
