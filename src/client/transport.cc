#include "client/transport.h"

#include <cctype>

#include "http/request.h"

namespace berth::client::internal {

http::ClientOptions httpOptions(const ClientConfig& config, std::string_view contentType,
                                std::chrono::milliseconds timeout) {
  http::ClientOptions options;
  options.caFile = config.caFile;
  options.caPem = config.caData;
  options.insecure = config.insecure;
  options.bearerToken = config.token;
  options.timeout = timeout;
  options.headers["Accept"] = "application/json";
  options.headers["User-Agent"] = config.userAgent.empty() ? "berth" : config.userAgent;
  if (!contentType.empty()) {
    options.headers["Content-Type"] = std::string(contentType);
  }
  return options;
}

Result<std::string> baseUrl(const ClientConfig& config) {
  std::string url = config.server;
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  if (url.empty()) {
    return fail(ErrorCode::kInvalidArgument, "client config has no 'server'");
  }
  return url;
}

std::string listQuery(const ListOptions& options, bool watch) {
  std::string query;
  auto add = [&query](std::string_view key, std::string_view value) {
    query += query.empty() ? "?" : "&";
    query += key;
    query += '=';
    query += http::percentEncode(value);
  };
  if (watch) {
    add("watch", "true");
  }
  if (!options.labelSelector.empty()) {
    add("labelSelector", options.labelSelector);
  }
  if (!options.fieldSelector.empty()) {
    add("fieldSelector", options.fieldSelector);
  }
  if (!options.resourceVersion.empty()) {
    add("resourceVersion", options.resourceVersion);
  }
  if (watch) {
    if (options.allowWatchBookmarks) {
      add("allowWatchBookmarks", "true");
    }
    if (options.timeoutSeconds) {
      add("timeoutSeconds", std::to_string(*options.timeoutSeconds));
    }
  } else {
    if (options.limit > 0) {
      add("limit", std::to_string(options.limit));
    }
    if (!options.continueToken.empty()) {
      add("continue", options.continueToken);
    }
  }
  return query;
}

ErrorCode codeForHttpStatus(int httpStatus, std::string_view reason) {
  switch (httpStatus) {
    case 400:
    case 422:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return reason == "AlreadyExists" ? ErrorCode::kAlreadyExists : ErrorCode::kConflict;
    case 410:
      return ErrorCode::kGone;
    case 429:
      return ErrorCode::kResourceExhausted;
    case 502:
    case 503:
    case 504:
      return ErrorCode::kUnavailable;
    default:
      break;
  }
  if (httpStatus >= 400 && httpStatus < 500) {
    return ErrorCode::kInvalidArgument;
  }
  return ErrorCode::kInternal;
}

Error errorFromReply(int httpStatus, std::string_view body) {
  json status = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status.is_object() && stringAt(status, "kind") == "Status") {
    std::string reason = stringAt(status, "reason");
    std::string message = stringAt(status, "message");
    if (message.empty()) {
      message = reason.empty() ? fmt::format("server replied {}", httpStatus) : reason;
    }
    return Error(codeForHttpStatus(httpStatus, reason), std::move(message));
  }
  std::string_view snippet = body.substr(0, 200);
  while (!snippet.empty() && std::isspace(static_cast<unsigned char>(snippet.back()))) {
    snippet.remove_suffix(1);
  }
  std::string message = snippet.empty() ? fmt::format("server replied {}", httpStatus)
                                        : fmt::format("server replied {}: {}", httpStatus, snippet);
  return Error(codeForHttpStatus(httpStatus, ""), std::move(message));
}

Error errorFromStatus(const json& status) {
  if (!status.is_object()) {
    return Error(ErrorCode::kInternal, "watch error event without a Status");
  }
  int code = 500;
  if (auto it = status.find("code"); it != status.end() && it->is_number_integer()) {
    code = it->get<int>();
  }
  std::string reason = stringAt(status, "reason");
  std::string message = stringAt(status, "message");
  if (message.empty()) {
    message = reason.empty() ? fmt::format("watch error {}", code) : reason;
  }
  return Error(codeForHttpStatus(code, reason), std::move(message));
}

Result<std::string> send(const ClientConfig& config, std::string_view method,
                         const std::string& pathAndQuery, const std::string& body,
                         std::string_view contentType, const std::atomic<bool>* cancel) {
  BERTH_ASSIGN_OR_RETURN(std::string base, baseUrl(config));
  auto options = httpOptions(config, body.empty() ? "" : contentType, config.timeout);
  options.cancel = cancel;
  auto reply = http::httpRequest(method, base + pathAndQuery, body, options);
  if (!reply) {
    return fail(unavailable(reply.error()));
  }
  if (cancel && cancel->load()) {
    return fail(ErrorCode::kUnavailable, "{} '{}': cancelled", method, pathAndQuery);
  }
  if (reply->status < 200 || reply->status >= 300) {
    return fail(errorFromReply(reply->status, reply->body));
  }
  return std::move(reply->body);
}

Result<json> sendJson(const ClientConfig& config, std::string_view method,
                      const std::string& pathAndQuery, const std::string& body,
                      std::string_view contentType, const std::atomic<bool>* cancel) {
  BERTH_ASSIGN_OR_RETURN(std::string reply,
                         send(config, method, pathAndQuery, body, contentType, cancel));
  json value = json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return fail(ErrorCode::kInternal, "{} '{}': reply is not JSON", method, pathAndQuery);
  }
  return value;
}

std::string stringAt(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return "";
  }
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

Error unavailable(const Error& error) {
  return Error(ErrorCode::kUnavailable, error.message());
}

std::string dumpJson(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace berth::client::internal
