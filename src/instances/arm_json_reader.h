#pragma once

// Internal to src/instances: reads ARM request bodies the way an ARM resource provider's JSON
// deserializer does: property names match case-insensitively ("memoryInGb" is "memoryInGB"),
// missing and null properties keep their defaults, unknown properties are ignored, and a value of
// the wrong JSON type is a 400 InvalidRequestContent naming its path:
//   The request content was invalid and could not be deserialized: 'Error converting value
//   "one" to type 'number'. Path 'properties.containers[0].properties.resources.requests.cpu'.'
// Not thread-safe; one reader per object.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "instances/arm_error.h"

namespace berth::instances::internal {

// 400 InvalidRequestContent with `detail` quoted inside the deserializer's sentence.
ArmError invalidContent(const std::string& detail);

class ArmReader {
 public:
  // `json` must outlive the reader. A non-object value fails every read with a type error.
  ArmReader(const nlohmann::json& json, std::string path);

  const std::string& path() const { return path_; }
  bool isObject() const { return json_.is_object(); }
  // The value of `key` (any case), or nullptr if absent or null.
  const nlohmann::json* find(const char* key) const;
  bool has(const char* key) const { return find(key) != nullptr; }
  // "path.key" (or "key" at the root).
  std::string childPath(const char* key) const;

  ArmStatus str(const char* key, std::string& out) const;
  ArmStatus optStr(const char* key, std::optional<std::string>& out) const;
  ArmStatus boolean(const char* key, bool& out) const;
  ArmStatus number(const char* key, double& out) const;
  ArmStatus optNumber(const char* key, std::optional<double>& out) const;
  ArmStatus integer(const char* key, int64_t& out) const;
  ArmStatus optInteger(const char* key, std::optional<int64_t>& out) const;
  ArmStatus strList(const char* key, std::vector<std::string>& out) const;
  ArmStatus strMap(const char* key, std::map<std::string, std::string>& out) const;
  // The array at `key` (empty if absent); a non-array is a type error.
  ArmResult<std::vector<const nlohmann::json*>> array(const char* key) const;
  // 400 InvalidRequestContent "Required property 'key' not found in JSON. Path 'path'." unless
  // present.
  ArmStatus require(const char* key) const;

 private:
  ArmError typeError(const char* key, const nlohmann::json& value, const char* type) const;

  const nlohmann::json& json_;
  std::string path_;
};

}  // namespace berth::instances::internal
