#include "http/ws_client.h"

#include <fcntl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>

namespace berth::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ws = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

Result<Url> parseUrl(const std::string& url) {
  Url out;
  size_t sep = url.find("://");
  if (sep == std::string::npos) {
    return fail(ErrorCode::kInvalidArgument, "url '{}': no scheme", url);
  }
  std::string scheme = url.substr(0, sep);
  if (scheme == "wss" || scheme == "https") {
    out.tls = true;
  } else if (scheme != "ws" && scheme != "http") {
    return fail(ErrorCode::kInvalidArgument, "url '{}': unsupported scheme '{}'", url, scheme);
  }
  std::string rest = url.substr(sep + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.size() > 2 && out.host.front() == '[') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  return out;
}

template <class Stream>
class ClientImpl final : public WebSocketClient {
 public:
  template <class... Args>
  ClientImpl(std::unique_ptr<asio::io_context> ioc, std::unique_ptr<asio::ssl::context> ssl,
             std::chrono::milliseconds timeout, Args&&... args)
      : ioc_(std::move(ioc)),
        ssl_(std::move(ssl)),
        timeout_(timeout),
        ws_(std::forward<Args>(args)...) {}

  ws::stream<Stream>& stream() { return ws_; }
  void setProtocol(std::string p) { protocol_ = std::move(p); }
  const std::string& protocol() const override { return protocol_; }

  // Runs the io_context until `done` or the timeout; on timeout closes the socket.
  bool runUntil(const bool& done) {
    ioc_->restart();
    auto deadline = std::chrono::steady_clock::now() + timeout_;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      ioc_->run_one_for(deadline - std::chrono::steady_clock::now());
    }
    if (!done) {
      error_code ignored;
      beast::get_lowest_layer(ws_).close(ignored);
      ioc_->restart();
      ioc_->run();  // let the aborted operation finish
      return false;
    }
    return true;
  }

  Result<std::string> read() override {
    beast::flat_buffer buffer;
    bool done = false;
    error_code ec;
    ws_.async_read(buffer, [&](error_code e, size_t) {
      ec = e;
      done = true;
    });
    if (!runUntil(done)) {
      return fail(ErrorCode::kDeadlineExceeded, "websocket read: timed out");
    }
    if (ec) {
      std::string reason(ws_.reason().reason.c_str());
      return fail(ErrorCode::kUnavailable, "websocket read: {}{}", ec.message(),
                  reason.empty() ? "" : " (" + reason + ")");
    }
    return beast::buffers_to_string(buffer.data());
  }

  Status write(std::string_view data) override {
    bool done = false;
    error_code ec;
    ws_.binary(true);
    ws_.async_write(asio::buffer(data.data(), data.size()), [&](error_code e, size_t) {
      ec = e;
      done = true;
    });
    if (!runUntil(done)) {
      return fail(ErrorCode::kDeadlineExceeded, "websocket write: timed out");
    }
    if (ec) {
      return fail(ErrorCode::kUnavailable, "websocket write: {}", ec.message());
    }
    return ok();
  }

  Status close() override {
    if (!ws_.is_open()) {
      return ok();
    }
    bool done = false;
    error_code ec;
    ws_.async_close(ws::close_code::normal, [&](error_code e) {
      ec = e;
      done = true;
    });
    if (!runUntil(done)) {
      return fail(ErrorCode::kDeadlineExceeded, "websocket close: timed out");
    }
    if (ec) {
      return fail(ErrorCode::kUnavailable, "websocket close: {}", ec.message());
    }
    return ok();
  }

 private:
  std::unique_ptr<asio::io_context> ioc_;
  std::unique_ptr<asio::ssl::context> ssl_;
  std::chrono::milliseconds timeout_;
  ws::stream<Stream> ws_;
  std::string protocol_;
};

template <class Stream>
Result<std::unique_ptr<WebSocketClient>> handshake(std::unique_ptr<ClientImpl<Stream>> client,
                                                   const Url& url, const std::string& rawUrl,
                                                   const WebSocketClientOptions& options) {
  auto& wsStream = client->stream();
  std::string offered;
  for (const std::string& p : options.protocols) {
    offered += (offered.empty() ? "" : ", ") + p;
  }
  wsStream.set_option(ws::stream_base::decorator([&options, offered](ws::request_type& req) {
    if (options.method != "GET") {
      req.method_string(options.method);
    }
    if (!offered.empty()) {
      req.set(bhttp::field::sec_websocket_protocol, offered);
    }
    if (!options.bearerToken.empty()) {
      req.set(bhttp::field::authorization, "Bearer " + options.bearerToken);
    }
    for (const auto& [name, value] : options.headers) {
      req.set(name, value);
    }
  }));
  ws::response_type res;
  bool done = false;
  error_code ec;
  wsStream.async_handshake(res, url.host + ":" + url.port, url.target, [&](error_code e) {
    ec = e;
    done = true;
  });
  if (!client->runUntil(done)) {
    return fail(ErrorCode::kDeadlineExceeded, "websocket upgrade '{}': timed out", rawUrl);
  }
  if (ec) {
    return fail(ErrorCode::kUnavailable, "websocket upgrade '{}': {} {}: {}", rawUrl,
                res.result_int(), ec.message(), res.body());
  }
  client->setProtocol(std::string(res[bhttp::field::sec_websocket_protocol]));
  return std::unique_ptr<WebSocketClient>(std::move(client));
}

}  // namespace

Result<std::unique_ptr<WebSocketClient>> WebSocketClient::connect(
    const std::string& rawUrl, const WebSocketClientOptions& options) {
  BERTH_ASSIGN_OR_RETURN(Url url, parseUrl(rawUrl));
  try {
    auto ioc = std::make_unique<asio::io_context>();
    tcp::resolver resolver(*ioc);
    error_code ec;
    auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (ec) {
      return fail(ErrorCode::kUnavailable, "resolve '{}': {}", url.host, ec.message());
    }
    tcp::socket socket(*ioc);
    asio::connect(socket, endpoints, ec);
    if (ec) {
      return fail(ErrorCode::kUnavailable, "connect '{}': {}", rawUrl, ec.message());
    }
    // Not inherited by processes this process starts (Asio does not set O_CLOEXEC).
    fcntl(socket.native_handle(), F_SETFD, fcntl(socket.native_handle(), F_GETFD) | FD_CLOEXEC);
    if (!url.tls) {
      auto client = std::make_unique<ClientImpl<tcp::socket>>(std::move(ioc), nullptr,
                                                              options.timeout, std::move(socket));
      return handshake(std::move(client), url, rawUrl, options);
    }
    auto ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    if (options.insecure) {
      ssl->set_verify_mode(asio::ssl::verify_none);
    } else {
      ssl->set_verify_mode(asio::ssl::verify_peer);
      if (!options.caFile.empty()) {
        ssl->load_verify_file(options.caFile.string(), ec);
      } else {
        ssl->set_default_verify_paths(ec);
      }
      if (ec) {
        return fail(ErrorCode::kInvalidArgument, "ca '{}': {}", options.caFile.string(),
                    ec.message());
      }
    }
    using TlsSocket = beast::ssl_stream<tcp::socket>;
    auto* sslPtr = ssl.get();
    auto client = std::make_unique<ClientImpl<TlsSocket>>(
        std::move(ioc), std::move(ssl), options.timeout, std::move(socket), *sslPtr);
    auto& tlsStream = client->stream().next_layer();
    SSL_set_tlsext_host_name(tlsStream.native_handle(), url.host.c_str());
    if (!options.insecure) {
      tlsStream.set_verify_callback(asio::ssl::host_name_verification(url.host));
    }
    bool done = false;
    tlsStream.async_handshake(asio::ssl::stream_base::client, [&](error_code e) {
      ec = e;
      done = true;
    });
    if (!client->runUntil(done)) {
      return fail(ErrorCode::kDeadlineExceeded, "tls handshake '{}': timed out", rawUrl);
    }
    if (ec) {
      return fail(ErrorCode::kUnavailable, "tls handshake '{}': {}", rawUrl, ec.message());
    }
    return handshake(std::move(client), url, rawUrl, options);
  } catch (const std::exception& e) {
    return fail(ErrorCode::kUnavailable, "websocket '{}': {}", rawUrl, e.what());
  }
}

}  // namespace berth::http
