#pragma once

// Where the agent gets the ConfigMaps and Secrets a pod refers to (volumes, env valueFrom and
// envFrom). Only pods from the API server use one: static pods cannot refer to API objects, as
// with the kubelet. api_object_resolver.h fetches them from the API server; tests use a map.

#include <map>
#include <memory>
#include <string>

#include "base/error.h"

namespace berth::agent {

// The keys of a ConfigMap (data and binaryData) or Secret (data, decoded) with their bytes.
// Secret values are secrets: never log them or put them in an error message.
using ObjectData = std::map<std::string, std::string>;

class ObjectResolver {
 public:
  virtual ~ObjectResolver() = default;
  // The ConfigMap `name` in `namespace_`. kNotFound when it does not exist; other errors
  // (kUnavailable, kPermissionDenied) when it could not be read. Thread-safe.
  virtual Result<ObjectData> configMap(const std::string& namespace_, const std::string& name) = 0;
  // The Secret `name` in `namespace_`, likewise.
  virtual Result<ObjectData> secret(const std::string& namespace_, const std::string& name) = 0;
};

using ObjectResolverPtr = std::shared_ptr<ObjectResolver>;

}  // namespace berth::agent
