#pragma once

// Internals of the API client shared by its files: HTTP options from a ClientConfig, query
// strings, and the mapping of error replies (Kubernetes Status bodies) to Errors.

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "base/error.h"
#include "client/api_client.h"
#include "http/client.h"

namespace berth::client::internal {

// The HTTP options for one request: CA, token, Accept, User-Agent and, when `contentType` is
// not empty, Content-Type. `timeout` zero: none.
http::ClientOptions httpOptions(const ClientConfig& config, std::string_view contentType,
                                std::chrono::milliseconds timeout);

// Sends one request to the server (path with query); the body of a 2xx reply, else the
// Error for the reply (kUnavailable when there was none). With `cancel`, the request is
// abandoned (kUnavailable) soon after *cancel becomes true.
Result<std::string> send(const ClientConfig& config, std::string_view method,
                         const std::string& pathAndQuery, const std::string& body,
                         std::string_view contentType, const std::atomic<bool>* cancel = nullptr);
// send() and parse the reply as JSON (kInternal when it is none).
Result<json> sendJson(const ClientConfig& config, std::string_view method,
                      const std::string& pathAndQuery, const std::string& body,
                      std::string_view contentType = "application/json",
                      const std::atomic<bool>* cancel = nullptr);

// The server URL without a trailing '/'. kInvalidArgument when the config has none.
Result<std::string> baseUrl(const ClientConfig& config);

// "?labelSelector=...&limit=..." for a list, "?watch=true&..." for a watch; "" when a list
// has no options.
std::string listQuery(const ListOptions& options, bool watch);

// The code for an HTTP error status (and the Status reason, which tells 409 AlreadyExists
// apart from other conflicts).
ErrorCode codeForHttpStatus(int httpStatus, std::string_view reason);

// The Error for a non-2xx reply: the code follows the status, the message is the Status
// body's message (or a snippet of a body that is no Status).
Error errorFromReply(int httpStatus, std::string_view body);

// The Error for a Status object (a watch ERROR event); its "code" gives the error code.
Error errorFromStatus(const json& status);

// object[key] when it is a string, else "" (never throws, whatever the server sent).
std::string stringAt(const json& object, std::string_view key);

// A transport failure (no HTTP reply) as kUnavailable, keeping the message.
Error unavailable(const Error& error);

// Serializes a JSON body; invalid UTF-8 is replaced rather than thrown about.
std::string dumpJson(const json& value);

}  // namespace berth::client::internal
