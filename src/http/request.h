#pragma once

// What a handler sees of an HTTP request: method, decoded path, path parameters, query and
// headers. Independent of the server's I/O library so that routing can be unit-tested alone.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::http {

// Percent-decodes `s` ("%2F" -> "/"); with `plusIsSpace` (query strings) '+' becomes ' '.
// kInvalidArgument for a malformed escape ("%zz", a trailing '%').
Result<std::string> percentDecode(std::string_view s, bool plusIsSpace);

// Percent-encodes everything but unreserved characters (A-Z a-z 0-9 - _ . ~).
std::string percentEncode(std::string_view s);

// A parsed query string. Keys may repeat (`command=a&command=b`); order is kept.
class Query {
 public:
  Query() = default;
  // Parses "a=1&b=x%20y&flag". A key without '=' has the empty value.
  static Result<Query> parse(std::string_view raw);

  // The first value of `key`, if present.
  std::optional<std::string> get(std::string_view key) const;
  // All values of `key` in order (empty when absent).
  std::vector<std::string> all(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }

  // Kubernetes-style boolean: absent -> `fallback`; "1"/"true"/"" -> true; "0"/"false" -> false;
  // anything else is kInvalidArgument naming the parameter.
  Result<bool> flag(std::string_view key, bool fallback = false) const;
  // An integer parameter; absent -> nullopt; not a number -> kInvalidArgument naming it.
  Result<std::optional<long long>> integer(std::string_view key) const;

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Header names are compared case-insensitively; keys are stored lowercased.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target ("/a/b?x=1")
  std::string path;    // the target's path, not decoded
  Query query;
  std::map<std::string, std::string> headers;  // lowercase name -> value
  std::map<std::string, std::string> params;   // from the route pattern, percent-decoded
  std::string body;
  std::string remoteAddress;  // "127.0.0.1:54321"

  // The header's value, if present. `name` in any case.
  std::optional<std::string> header(std::string_view name) const;
  // The path parameter (REQUIRES: the route pattern names it).
  const std::string& param(const std::string& name) const;
};

}  // namespace berth::http
