#pragma once

// Maps method + path patterns to handlers. Patterns are '/'-separated; a segment `{name}`
// matches one non-empty path segment and is handed to the handler percent-decoded:
//   router.add("GET", "/containerLogs/{namespace}/{pod}/{container}", handler);

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http {

class Context;

// A handler is a coroutine answering one request through its Context.
using Handler = std::function<boost::asio::awaitable<void>(Context&)>;

struct RouteOptions {
  // False for endpoints anyone may call (/healthz); otherwise the server's Authenticator must
  // accept the request's bearer token.
  bool authenticated = true;
};

struct Route {
  std::vector<std::string> methods;
  std::string pattern;
  Handler handler;
  RouteOptions options;
};

class Router {
 public:
  // Adds a route for one method ("GET") or several ("GET,POST").
  // REQUIRES: not called once the server runs (the router is then read concurrently).
  void add(std::string_view methods, std::string pattern, Handler handler,
           RouteOptions options = {});

  enum class MatchKind { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    MatchKind kind = MatchKind::kNotFound;
    const Route* route = nullptr;
    std::map<std::string, std::string> params;  // percent-decoded
  };

  // Finds the first route whose pattern matches `path` (raw, not decoded; without the query).
  // kMethodNotAllowed when a pattern matches but not for `method`; a segment that fails to
  // percent-decode makes the pattern not match. Thread-safe (const).
  Match match(std::string_view method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace berth::http
