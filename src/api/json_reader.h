#pragma once

// Internal to src/api: reads typed fields out of JSON objects while tracking the Kubernetes field
// path ("spec.containers[0].ports[0].containerPort"), the first type error and the fields the
// reader was never asked for (unknown fields).
//
// Semantics follow Go's encoding/json as the API server applies it: a missing or null field
// leaves the destination untouched; any other JSON type than the field's is an error. Integral
// floats (80.0, which YAML can produce) are accepted as integers.
// Not thread-safe; one DecodeContext per decode.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace berth::api::internal {

struct DecodeContext {
  std::optional<std::string> firstError;  // "path: expected integer, got string \"80\""
  std::vector<std::string> unknownFields;

  void error(const std::string& path, const std::string& message);
};

// "string \"80\"", "number 1.5", "boolean true", "object", "array", "null".
std::string describeJson(const nlohmann::json& value);

class ObjectReader {
 public:
  // Reads `json` as an object at `path` ("" for the root). A non-object records a type error
  // and reads as empty.
  ObjectReader(const nlohmann::json& json, std::string path, DecodeContext& ctx);
  // Records the keys nobody read as unknown fields.
  ~ObjectReader();

  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  void str(const char* key, std::string& out);
  void optStr(const char* key, std::optional<std::string>& out);
  void boolean(const char* key, bool& out);
  void optBool(const char* key, std::optional<bool>& out);
  void i32(const char* key, int32_t& out);
  void optI32(const char* key, std::optional<int32_t>& out);
  void i64(const char* key, int64_t& out);
  void optI64(const char* key, std::optional<int64_t>& out);
  void strList(const char* key, std::vector<std::string>& out);
  void i64List(const char* key, std::vector<int64_t>& out);
  void strMap(const char* key, std::map<std::string, std::string>& out);
  // resource.Quantity: a JSON string or number, kept as written.
  void quantity(const char* key, std::optional<std::string>& out);
  void quantityMap(const char* key, std::map<std::string, std::string>& out);
  // An object whose values `convert` turns into strings; nullopt is a type error naming the key.
  void stringValuedMap(
      const char* key, std::map<std::string, std::string>& out, const char* expected,
      const std::function<std::optional<std::string>(const nlohmann::json&)>& convert);
  // intstr.IntOrString, kept as text ("8080" or "http").
  void intOrString(const char* key, std::string& out);

  // Marks a field as known without reading it (fields Berth ignores on purpose).
  void skip(const char* key);

  // A nested object: fn(ObjectReader&, T&) fills it.
  template <typename T, typename Fn>
  void object(const char* key, T& out, Fn fn) {
    const nlohmann::json* v = take(key);
    if (v != nullptr) {
      ObjectReader child(*v, childPath(key), ctx_);
      fn(child, out);
    }
  }

  template <typename T, typename Fn>
  void optObject(const char* key, std::optional<T>& out, Fn fn) {
    const nlohmann::json* v = take(key);
    if (v != nullptr) {
      ObjectReader child(*v, childPath(key), ctx_);
      T value;
      fn(child, value);
      out = std::move(value);
    }
  }

  template <typename T, typename Fn>
  void list(const char* key, std::vector<T>& out, Fn fn) {
    const nlohmann::json* v = take(key);
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
      ObjectReader child((*v)[i], path + "[" + std::to_string(i) + "]", ctx_);
      T value;
      fn(child, value);
      out.push_back(std::move(value));
    }
  }

  const std::string& path() const { return path_; }

 private:
  // The value at key if present and not null; marks the key as read.
  const nlohmann::json* take(const char* key);
  // The integer at key if present, in [min, max] and integral; else records an error.
  std::optional<int64_t> integer(const char* key, int64_t min, int64_t max);
  std::string childPath(const char* key) const;

  const nlohmann::json* json_;  // nullptr if the value was not an object
  std::string path_;
  DecodeContext& ctx_;
  std::set<std::string, std::less<>> read_;
};

}  // namespace berth::api::internal
