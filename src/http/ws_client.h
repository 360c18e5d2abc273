#pragma once

// A small blocking WebSocket client (Beast) for tests and the CLI (`berth exec` through the
// API server). Not thread-safe: one thread uses a client at a time.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::http {

struct WebSocketClientOptions {
  std::filesystem::path caFile;  // for wss://; empty: system CAs
  bool insecure = false;         // skip certificate verification (tests only)
  std::string bearerToken;
  std::vector<std::string> protocols;  // offered in Sec-WebSocket-Protocol, in this order
  std::map<std::string, std::string> headers;
  std::string method = "GET";                // Kubernetes clients may upgrade a POST
  std::chrono::milliseconds timeout{30000};  // per connect/read/write
};

class WebSocketClient {
 public:
  // Connects to ws://, wss://, http:// or https:// URLs and performs the upgrade.
  // kUnavailable when the connection or handshake fails; kPermissionDenied/kUnauthenticated
  // style failures come back as kUnavailable with the HTTP status in the message
  // ("websocket upgrade '...': 401 ...").
  static Result<std::unique_ptr<WebSocketClient>> connect(const std::string& url,
                                                          const WebSocketClientOptions& options);
  virtual ~WebSocketClient() = default;

  // The subprotocol the server chose (empty: none).
  virtual const std::string& protocol() const = 0;
  // The next message. kUnavailable once the server closed the connection (the close frame's
  // reason is in the message), kDeadlineExceeded after the timeout (the client is then
  // unusable).
  virtual Result<std::string> read() = 0;
  // Sends one binary message.
  virtual Status write(std::string_view data) = 0;
  // Sends a close frame and waits for the server's.
  virtual Status close() = 0;
};

using WebSocketClientPtr = std::unique_ptr<WebSocketClient>;

}  // namespace berth::http
