#include "http/router.h"

#include "http/request.h"

namespace berth::http {

namespace {

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  while (!path.empty()) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return out;
}

bool isParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string_view methods, std::string pattern, Handler handler,
                 RouteOptions options) {
  Route route;
  while (!methods.empty()) {
    size_t comma = methods.find(',');
    route.methods.emplace_back(methods.substr(0, comma));
    methods = comma == std::string_view::npos ? std::string_view() : methods.substr(comma + 1);
  }
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  route.options = options;
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  std::vector<std::string_view> segments = splitPath(path);
  for (const Route& route : routes_) {
    std::vector<std::string_view> pattern = splitPath(route.pattern);
    if (pattern.size() != segments.size()) {
      continue;
    }
    std::map<std::string, std::string> params;
    bool matched = true;
    for (size_t i = 0; i < pattern.size() && matched; ++i) {
      if (isParam(pattern[i])) {
        auto decoded = percentDecode(segments[i], false);
        if (!decoded || decoded->empty()) {
          matched = false;
        } else {
          params[std::string(pattern[i].substr(1, pattern[i].size() - 2))] = std::move(*decoded);
        }
      } else if (pattern[i] != segments[i]) {
        matched = false;
      }
    }
    if (!matched) {
      continue;
    }
    bool methodOk = false;
    for (const std::string& m : route.methods) {
      methodOk = methodOk || m == method;
    }
    if (!methodOk) {
      result.kind = MatchKind::kMethodNotAllowed;
      continue;
    }
    result.kind = MatchKind::kFound;
    result.route = &route;
    result.params = std::move(params);
    return result;
  }
  return result;
}

}  // namespace berth::http
