#include "apiserver/agent_connection.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace berth::apiserver {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ws = boost::beast::websocket;
using asio::ip::tcp;

asio::ssl::context agentClientTls() {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  // The agent's serving certificate is self-signed by its own CA (see pod_subresources.h).
  tls.set_verify_mode(asio::ssl::verify_none);
  return tls;
}

asio::awaitable<void> connectAgent(AgentTlsStream& stream, const NodeEndpoint& endpoint) {
  tcp::resolver resolver(stream.get_executor());
  auto results = co_await resolver.async_resolve(endpoint.host, endpoint.port, asio::use_awaitable);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  co_await beast::get_lowest_layer(stream).async_connect(results, asio::use_awaitable);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  beast::get_lowest_layer(stream).expires_never();
}

AgentWebSocket::AgentWebSocket(const asio::any_io_executor& executor)
    : tls(agentClientTls()), stream(executor, tls) {}

void AgentWebSocket::closeSocket() {
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().close(ignored);
}

asio::awaitable<Result<AgentWebSocketPtr>> dialAgentWebSocket(asio::any_io_executor executor,
                                                              NodeEndpoint endpoint,
                                                              std::string path, std::string token,
                                                              std::string protocols) {
  auto socket = std::make_shared<AgentWebSocket>(executor);
  std::string why;
  try {
    co_await connectAgent(socket->stream.next_layer(), endpoint);
    socket->stream.set_option(ws::stream_base::decorator([token, protocols](ws::request_type& req) {
      req.set(bhttp::field::authorization, "Bearer " + token);
      if (!protocols.empty()) {
        req.set(bhttp::field::sec_websocket_protocol, protocols);
      }
    }));
    ws::response_type response;
    co_await socket->stream.async_handshake(response, endpoint.host, path, asio::use_awaitable);
    socket->protocol = std::string(response[bhttp::field::sec_websocket_protocol]);
  } catch (const std::exception& e) {
    why = e.what();
  }
  if (!why.empty()) {
    co_return fail(ErrorCode::kUnavailable, "cannot exec through the agent at {}:{}: {}",
                   endpoint.host, endpoint.port, why);
  }
  socket->stream.binary(true);
  co_return socket;
}

}  // namespace berth::apiserver
