#include "api/json_reader.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace berth::api::internal {
namespace {

using nlohmann::json;

// An integral JSON number as int64, if it is one.
std::optional<int64_t> asInteger(const json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    return v.get<int64_t>();
  }
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return static_cast<int64_t>(u);
    }
    return std::nullopt;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && d >= -9.2233720368547758e18 &&
        d < 9.2233720368547758e18) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

std::string numberText(const json& v) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::trunc(d) == d && std::fabs(d) < 1e18) {
      return std::to_string(static_cast<int64_t>(d));
    }
  }
  return v.dump();
}

}  // namespace

void DecodeContext::error(const std::string& path, const std::string& message) {
  if (!firstError) {
    firstError = path + ": " + message;
  }
}

std::string describeJson(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return v.get<bool>() ? "boolean true" : "boolean false";
    case json::value_t::string:
      return "string " + v.dump();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number " + v.dump();
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    default:
      return "unsupported value";
  }
}

ObjectReader::ObjectReader(const json& j, std::string path, DecodeContext& ctx)
    : json_(&j), path_(std::move(path)), ctx_(ctx) {
  if (!j.is_object()) {
    if (!j.is_null()) {
      ctx_.error(path_.empty() ? "<root>" : path_, "expected object, got " + describeJson(j));
    }
    json_ = nullptr;
  }
}

ObjectReader::~ObjectReader() {
  if (json_ == nullptr) {
    return;
  }
  for (const auto& [key, value] : json_->items()) {
    if (!read_.contains(key)) {
      ctx_.unknownFields.push_back(childPath(key.c_str()));
    }
  }
}

const json* ObjectReader::take(const char* key) {
  read_.insert(key);
  if (json_ == nullptr) {
    return nullptr;
  }
  auto it = json_->find(key);
  if (it == json_->end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

std::string ObjectReader::childPath(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

void ObjectReader::skip(const char* key) {
  read_.insert(key);
}

void ObjectReader::str(const char* key, std::string& out) {
  if (const json* v = take(key)) {
    if (v->is_string()) {
      out = v->get<std::string>();
    } else {
      ctx_.error(childPath(key), "expected string, got " + describeJson(*v));
    }
  }
}

void ObjectReader::optStr(const char* key, std::optional<std::string>& out) {
  if (const json* v = take(key)) {
    if (v->is_string()) {
      out = v->get<std::string>();
    } else {
      ctx_.error(childPath(key), "expected string, got " + describeJson(*v));
    }
  }
}

void ObjectReader::boolean(const char* key, bool& out) {
  if (const json* v = take(key)) {
    if (v->is_boolean()) {
      out = v->get<bool>();
    } else {
      ctx_.error(childPath(key), "expected boolean, got " + describeJson(*v));
    }
  }
}

void ObjectReader::optBool(const char* key, std::optional<bool>& out) {
  if (const json* v = take(key)) {
    if (v->is_boolean()) {
      out = v->get<bool>();
    } else {
      ctx_.error(childPath(key), "expected boolean, got " + describeJson(*v));
    }
  }
}

std::optional<int64_t> ObjectReader::integer(const char* key, int64_t min, int64_t max) {
  const json* v = take(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  auto i = asInteger(*v);
  if (!i) {
    ctx_.error(childPath(key), "expected integer, got " + describeJson(*v));
    return std::nullopt;
  }
  if (*i < min || *i > max) {
    ctx_.error(childPath(key), "expected 32-bit integer, got " + describeJson(*v));
    return std::nullopt;
  }
  return i;
}

void ObjectReader::i64(const char* key, int64_t& out) {
  if (auto i = integer(key, INT64_MIN, INT64_MAX)) {
    out = *i;
  }
}

void ObjectReader::optI64(const char* key, std::optional<int64_t>& out) {
  if (auto i = integer(key, INT64_MIN, INT64_MAX)) {
    out = *i;
  }
}

void ObjectReader::i32(const char* key, int32_t& out) {
  if (auto i = integer(key, INT32_MIN, INT32_MAX)) {
    out = static_cast<int32_t>(*i);
  }
}

void ObjectReader::optI32(const char* key, std::optional<int32_t>& out) {
  if (auto i = integer(key, INT32_MIN, INT32_MAX)) {
    out = static_cast<int32_t>(*i);
  }
}

void ObjectReader::strList(const char* key, std::vector<std::string>& out) {
  const json* v = take(key);
  if (v == nullptr) {
    return;
  }
  std::string path = childPath(key);
  if (!v->is_array()) {
    ctx_.error(path, "expected array, got " + describeJson(*v));
    return;
  }
  out.clear();
  for (size_t i = 0; i < v->size(); i++) {
    const json& item = (*v)[i];
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_null()) {
      out.emplace_back();  // Go decodes null into a string element as ""
    } else {
      ctx_.error(path + "[" + std::to_string(i) + "]",
                 "expected string, got " + describeJson(item));
    }
  }
}

void ObjectReader::i64List(const char* key, std::vector<int64_t>& out) {
  const json* v = take(key);
  if (v == nullptr) {
    return;
  }
  std::string path = childPath(key);
  if (!v->is_array()) {
    ctx_.error(path, "expected array, got " + describeJson(*v));
    return;
  }
  out.clear();
  for (size_t i = 0; i < v->size(); i++) {
    if (auto n = asInteger((*v)[i])) {
      out.push_back(*n);
    } else {
      ctx_.error(path + "[" + std::to_string(i) + "]",
                 "expected integer, got " + describeJson((*v)[i]));
    }
  }
}

void ObjectReader::strMap(const char* key, std::map<std::string, std::string>& out) {
  stringValuedMap(key, out, "string", [](const json& item) -> std::optional<std::string> {
    if (item.is_string()) {
      return item.get<std::string>();
    }
    if (item.is_null()) {
      return std::string();
    }
    return std::nullopt;
  });
}

void ObjectReader::quantity(const char* key, std::optional<std::string>& out) {
  if (const json* v = take(key)) {
    if (v->is_string()) {
      out = v->get<std::string>();
    } else if (v->is_number()) {
      out = numberText(*v);
    } else {
      ctx_.error(childPath(key), "expected quantity (string or number), got " + describeJson(*v));
    }
  }
}

void ObjectReader::quantityMap(const char* key, std::map<std::string, std::string>& out) {
  stringValuedMap(key, out, "quantity (string or number)",
                  [](const json& item) -> std::optional<std::string> {
                    if (item.is_string()) {
                      return item.get<std::string>();
                    }
                    if (item.is_number()) {
                      return numberText(item);
                    }
                    return std::nullopt;
                  });
}

void ObjectReader::stringValuedMap(
    const char* key, std::map<std::string, std::string>& out, const char* expected,
    const std::function<std::optional<std::string>(const json&)>& convert) {
  const json* v = take(key);
  if (v == nullptr) {
    return;
  }
  std::string path = childPath(key);
  if (!v->is_object()) {
    ctx_.error(path, "expected object, got " + describeJson(*v));
    return;
  }
  out.clear();
  for (const auto& [k, item] : v->items()) {
    if (auto value = convert(item)) {
      out[k] = std::move(*value);
    } else {
      ctx_.error(path + "[" + k + "]",
                 std::string("expected ") + expected + ", got " + describeJson(item));
    }
  }
}

void ObjectReader::intOrString(const char* key, std::string& out) {
  if (const json* v = take(key)) {
    if (v->is_string()) {
      out = v->get<std::string>();
    } else if (auto i = asInteger(*v)) {
      out = std::to_string(*i);
    } else {
      ctx_.error(childPath(key), "expected integer or string, got " + describeJson(*v));
    }
  }
}

}  // namespace berth::api::internal
