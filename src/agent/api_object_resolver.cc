#include "agent/api_object_resolver.h"

#include "base/base64.h"

namespace berth::agent {
namespace {
// The string values of `object[field]` (a map), base64-decoded when `encoded`.
Status readMap(const nlohmann::json& object, const char* field, bool encoded, ObjectData& out) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    return ok();
  }
  if (!it->is_object()) {
    return fail(ErrorCode::kInvalidArgument, "{}: expected an object", field);
  }
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string()) {
      return fail(ErrorCode::kInvalidArgument, "{}[{}]: expected a string", field, key);
    }
    if (!encoded) {
      out[key] = value.get<std::string>();
      continue;
    }
    auto bytes = base64Decode(value.get<std::string>(), Base64Mode::kLenient);
    if (!bytes) {
      // The value itself is never part of the message.
      return fail(ErrorCode::kInvalidArgument, "{}[{}]: invalid base64", field, key);
    }
    out[key] = std::move(*bytes);
  }
  return ok();
}

}  // namespace
Result<ObjectData> configMapData(const nlohmann::json& object) {
  ObjectData out;
  BERTH_TRY_STATUS(readMap(object, "data", false, out));
  BERTH_TRY_STATUS(readMap(object, "binaryData", true, out));
  return out;
}

Result<ObjectData> secretData(const nlohmann::json& object) {
  ObjectData out;
  BERTH_TRY_STATUS(readMap(object, "data", true, out));
  return out;
}

Result<ObjectData> ApiObjectResolver::configMap(const std::string& namespace_,
                                                const std::string& name) {
  BERTH_ASSIGN_OR_RETURN(auto object, client_.get(client::Resource::configMaps(namespace_), name));
  return configMapData(object);
}

Result<ObjectData> ApiObjectResolver::secret(const std::string& namespace_,
                                             const std::string& name) {
  BERTH_ASSIGN_OR_RETURN(auto object, client_.get(client::Resource::secrets(namespace_), name));
  return secretData(object);
}

}  // namespace berth::agent
