#pragma once

// Connections from the API server to an agent's node endpoint (pods/log, pods/exec and the ARM
// exec relay): HTTPS to the node's address, with the agent's self-signed serving certificate
// accepted (see pod_subresources.h), and the WebSocket upgrade of the exec endpoint.
// All asynchronous, on the caller's executor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>
#include <string>

#include "apiserver/pod_subresources.h"
#include "base/error.h"

namespace berth::apiserver {

using AgentTlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// The TLS client context for agents (no certificate verification: the token is what matters).
boost::asio::ssl::context agentClientTls();

// Resolves, connects (10 s timeout) and completes the TLS handshake. Throws
// boost::system::system_error when any step fails.
boost::asio::awaitable<void> connectAgent(AgentTlsStream& stream, const NodeEndpoint& endpoint);

// A WebSocket to an agent, with the TLS context it needs kept alongside.
struct AgentWebSocket {
  explicit AgentWebSocket(const boost::asio::any_io_executor& executor);

  boost::asio::ssl::context tls;
  boost::beast::websocket::stream<AgentTlsStream> stream;
  std::string protocol;  // the subprotocol the agent chose, empty when none

  // Closes the TCP connection at once (the agent then ends the exec).
  void closeSocket();
};

using AgentWebSocketPtr = std::shared_ptr<AgentWebSocket>;

// Connects to `endpoint` and upgrades `path` (with its query) to a WebSocket, authenticated
// with `token` and offering `protocols` (a Sec-WebSocket-Protocol value; empty: none). The
// stream is set to send binary messages. kUnavailable with the reason when any step fails
// (a refused upgrade included).
boost::asio::awaitable<Result<AgentWebSocketPtr>> dialAgentWebSocket(
    boost::asio::any_io_executor executor, NodeEndpoint endpoint, std::string path,
    std::string token, std::string protocols);

}  // namespace berth::apiserver
