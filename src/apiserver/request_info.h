#pragma once

// What a Kubernetes API path addresses:
//   /api/v1/namespaces/default/pods/web/log  -> group "", version v1, namespace default,
//                                               resource pods, name web, subresource log
//   /apis/apps/v1/deployments                 -> a list across all namespaces

#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::apiserver {

struct RequestInfo {
  std::string group;
  std::string version;
  std::string namespace_;  // empty: cluster-scoped resource, or all namespaces
  std::string resource;
  std::string name;  // empty: the collection
  std::string subresource;
};

// Parses a request path (percent-decoded segments). kNotFound when it is no resource path.
Result<RequestInfo> parseRequestPath(std::string_view path);

}  // namespace berth::apiserver
