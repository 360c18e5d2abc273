#include "apiserver/request_info.h"

#include <vector>

#include "http/request.h"

namespace berth::apiserver {

namespace {

Result<std::vector<std::string>> segments(std::string_view path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) {
      next = path.size();
    }
    if (next > pos) {
      BERTH_ASSIGN_OR_RETURN(auto part, http::percentDecode(path.substr(pos, next - pos), false));
      parts.push_back(std::move(part));
    }
    pos = next + 1;
  }
  return parts;
}

}  // namespace

Result<RequestInfo> parseRequestPath(std::string_view path) {
  BERTH_ASSIGN_OR_RETURN(auto parts, segments(path));
  RequestInfo info;
  size_t i = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    info.version = parts[1];
    i = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    info.group = parts[1];
    info.version = parts[2];
    i = 3;
  } else {
    return fail(ErrorCode::kNotFound, "'{}' is no API path", path);
  }
  std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
  // namespaces/{ns}/{resource}... addresses namespaced resources; namespaces, namespaces/{n}
  // and namespaces/{n}/{status|finalize} address the namespace objects themselves.
  if (rest.size() >= 3 && rest[0] == "namespaces" && rest[2] != "status" && rest[2] != "finalize") {
    info.namespace_ = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) {
    return fail(ErrorCode::kNotFound, "'{}' is no API path", path);
  }
  info.resource = rest[0];
  if (rest.size() >= 2) {
    info.name = rest[1];
  }
  if (rest.size() == 3) {
    info.subresource = rest[2];
  }
  return info;
}

}  // namespace berth::apiserver
