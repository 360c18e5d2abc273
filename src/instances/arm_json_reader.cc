#include "instances/arm_json_reader.h"

#include <cctype>
#include <cmath>

namespace berth::instances::internal {
namespace {

bool keyEquals(const std::string& a, const char* b) {
  size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return i == a.size() && b[i] == '\0';
}

}  // namespace

ArmError invalidContent(const std::string& detail) {
  return ArmError{
      400, "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: '" + detail + "'."};
}

ArmReader::ArmReader(const nlohmann::json& json, std::string path)
    : json_(json), path_(std::move(path)) {}

const nlohmann::json* ArmReader::find(const char* key) const {
  if (!json_.is_object()) {
    return nullptr;
  }
  // An exact match wins over a case-insensitive one.
  if (auto it = json_.find(key); it != json_.end()) {
    return it->is_null() ? nullptr : &*it;
  }
  for (auto it = json_.begin(); it != json_.end(); ++it) {
    if (keyEquals(it.key(), key)) {
      return it->is_null() ? nullptr : &*it;
    }
  }
  return nullptr;
}

std::string ArmReader::childPath(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

ArmError ArmReader::typeError(const char* key, const nlohmann::json& value,
                              const char* type) const {
  return invalidContent("Error converting value " + value.dump() + " to type '" + type +
                        "'. Path '" + childPath(key) + "'.");
}

ArmStatus ArmReader::str(const char* key, std::string& out) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return {};
  }
  if (!v->is_string()) {
    return std::unexpected(typeError(key, *v, "string"));
  }
  out = v->get<std::string>();
  return {};
}

ArmStatus ArmReader::optStr(const char* key, std::optional<std::string>& out) const {
  if (!has(key)) {
    return {};
  }
  std::string value;
  ARM_TRY(str(key, value));
  out = std::move(value);
  return {};
}

ArmStatus ArmReader::boolean(const char* key, bool& out) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return {};
  }
  if (!v->is_boolean()) {
    return std::unexpected(typeError(key, *v, "boolean"));
  }
  out = v->get<bool>();
  return {};
}

ArmStatus ArmReader::number(const char* key, double& out) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return {};
  }
  if (!v->is_number()) {
    return std::unexpected(typeError(key, *v, "number"));
  }
  out = v->get<double>();
  return {};
}

ArmStatus ArmReader::optNumber(const char* key, std::optional<double>& out) const {
  if (!has(key)) {
    return {};
  }
  double value = 0;
  ARM_TRY(number(key, value));
  out = value;
  return {};
}

ArmStatus ArmReader::integer(const char* key, int64_t& out) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return {};
  }
  if (v->is_number_integer()) {
    out = v->get<int64_t>();
    return {};
  }
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) {
      out = static_cast<int64_t>(d);
      return {};
    }
  }
  return std::unexpected(typeError(key, *v, "integer"));
}

ArmStatus ArmReader::optInteger(const char* key, std::optional<int64_t>& out) const {
  if (!has(key)) {
    return {};
  }
  int64_t value = 0;
  ARM_TRY(integer(key, value));
  out = value;
  return {};
}

ArmStatus ArmReader::strList(const char* key, std::vector<std::string>& out) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return {};
  }
  if (!v->is_array()) {
    return std::unexpected(typeError(key, *v, "array"));
  }
  out.clear();
  for (size_t i = 0; i < v->size(); i++) {
    const nlohmann::json& item = (*v)[i];
    if (!item.is_string()) {
      return std::unexpected(invalidContent("Error converting value " + item.dump() +
                                            " to type 'string'. Path '" + childPath(key) + "[" +
                                            std::to_string(i) + "]'."));
    }
    out.push_back(item.get<std::string>());
  }
  return {};
}

ArmStatus ArmReader::strMap(const char* key, std::map<std::string, std::string>& out) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return {};
  }
  if (!v->is_object()) {
    return std::unexpected(typeError(key, *v, "object"));
  }
  out.clear();
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_string()) {
      return std::unexpected(invalidContent("Error converting value " + it->dump() +
                                            " to type 'string'. Path '" + childPath(key) + "." +
                                            it.key() + "'."));
    }
    out[it.key()] = it->get<std::string>();
  }
  return {};
}

ArmResult<std::vector<const nlohmann::json*>> ArmReader::array(const char* key) const {
  std::vector<const nlohmann::json*> items;
  const nlohmann::json* v = find(key);
  if (v == nullptr) {
    return items;
  }
  if (!v->is_array()) {
    return std::unexpected(typeError(key, *v, "array"));
  }
  for (const nlohmann::json& item : *v) {
    items.push_back(&item);
  }
  return items;
}

ArmStatus ArmReader::require(const char* key) const {
  if (has(key)) {
    return {};
  }
  return std::unexpected(invalidContent(std::string("Required property '") + key +
                                        "' not found in JSON. Path '" + path_ + "'."));
}

}  // namespace berth::instances::internal
