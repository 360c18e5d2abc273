#pragma once

// A small blocking HTTP(S) client (libcurl) for tests, the CLI and node-to-node calls.
// Thread-safe. httpRequest keeps connections alive: each thread reuses its own curl handle
// and the connections it opened (HTTP/1.1 keep-alive, up to 8 per thread, idle ones closed
// after ~2 min), so sequential calls to a server from one thread share one TCP/TLS connection.
// Options never carry over from one call to the next. TLS sessions are shared by all threads
// (a new connection resumes one instead of a full handshake).

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::http {

struct ClientOptions {
  std::filesystem::path caFile;  // verify the server against this CA (PEM); empty: system CAs
  std::string caPem;             // or against these CA certificates (PEM in memory)
  bool insecure = false;         // skip verification (never in production code)
  std::string bearerToken;       // sent as "Authorization: Bearer ..." when not empty
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{30000};  // whole request; zero: none
  // When set, the transfer is aborted within ~100 ms of *cancel becoming true, even while the
  // server sends nothing; the result is then as if onData had returned false. The flag must
  // outlive the call.
  const std::atomic<bool>* cancel = nullptr;
};

struct ClientResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
};

// Sends one request and reads the whole response. An Error only when no HTTP response came
// (kUnavailable: connection/TLS failure, kDeadlineExceeded: timeout); any status is a response.
Result<ClientResponse> httpRequest(std::string_view method, const std::string& url,
                                   const std::string& body = "", const ClientOptions& options = {});

// Like httpRequest, but hands the body to `onData` as it arrives (chunk by chunk). When
// onData returns false (or options.cancel is set) the transfer is aborted and the result is
// the status so far.
Result<int> httpStream(std::string_view method, const std::string& url,
                       const std::function<bool(std::string_view)>& onData,
                       const ClientOptions& options = {});

}  // namespace berth::http
