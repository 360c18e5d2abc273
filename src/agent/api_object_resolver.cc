#include "agent/api_object_resolver.h"

namespace berth::agent {
namespace {

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

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
    auto bytes = decodeBase64(value.get<std::string>());
    if (!bytes) {
      // The value itself is never part of the message.
      return fail(ErrorCode::kInvalidArgument, "{}[{}]: invalid base64", field, key);
    }
    out[key] = std::move(*bytes);
  }
  return ok();
}

}  // namespace

Result<std::string> decodeBase64(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    }
    if (c == '=') {
      padding++;
      continue;
    }
    int v = base64Value(c);
    if (v < 0 || padding > 0) {
      return fail(ErrorCode::kInvalidArgument, "invalid base64");
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (padding > 2 || bits >= 6) {
    return fail(ErrorCode::kInvalidArgument, "invalid base64");
  }
  return out;
}

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
