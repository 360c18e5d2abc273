// The ConfigMap resource type: key and size rules, `immutable`, and the DATA column.

#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;
namespace internal = api::internal;

namespace {

constexpr size_t kMaxSize = size_t{1024} * 1024;  // core.MaxSecretSize, shared with secrets
constexpr const char* kImmutableMessage = "field is immutable when `immutable` is set";

const json& member(const json& object, const char* key) {
  static const json kNull;
  const json* v = types::at(object, {key});
  return v ? *v : kNull;
}

// Two data maps are equal when both are absent/empty or identical.
bool sameMap(const json& a, const json& b) {
  bool aEmpty = !a.is_object() || a.empty();
  bool bEmpty = !b.is_object() || b.empty();
  return (aEmpty && bEmpty) || a == b;
}

std::vector<Cause> validate(const json& cm, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(cm, *old, errors);
  }
  types::validateObjectMeta(cm, true, types::NameRule::kDns1123Subdomain, errors);
  size_t total = types::validateDataMap(cm, "data", false, errors);
  total += types::validateDataMap(cm, "binaryData", true, errors);
  const json& data = member(cm, "data");
  const json& binary = member(cm, "binaryData");
  if (data.is_object() && binary.is_object()) {
    for (const auto& [k, v] : data.items()) {
      if (binary.contains(k)) {
        errors.push_back(internal::invalid(internal::key("data", k), k,
                                           "duplicate of key present in binaryData"));
      }
    }
  }
  if (total > kMaxSize) {
    // "" names the whole object.
    errors.push_back(internal::tooLong("", "must have at most 1048576 bytes"));
  }
  if (old && types::flag(*old, {"immutable"})) {
    if (!types::flag(cm, {"immutable"})) {
      errors.push_back(internal::forbidden("immutable", kImmutableMessage));
    }
    if (!sameMap(data, member(*old, "data"))) {
      errors.push_back(internal::forbidden("data", kImmutableMessage));
    }
    if (!sameMap(binary, member(*old, "binaryData"))) {
      errors.push_back(internal::forbidden("binaryData", kImmutableMessage));
    }
  }
  return types::toCauses(errors);
}

int64_t count(const json& object, const char* key) {
  const json* v = types::at(object, {key});
  return v && v->is_object() ? static_cast<int64_t>(v->size()) : 0;
}

}  // namespace

ResourceType configMapType(NowFn now) {
  ResourceType t;
  t.version = "v1";
  t.resource = "configmaps";
  t.kind = "ConfigMap";
  t.singular = "configmap";
  t.namespaced = true;
  t.shortNames = {"cm"};
  t.validate = validate;
  t.unknownFields = [](const json& cm) {
    static const json schema =
        types::objectSchema({{"data", true}, {"binaryData", true}, {"immutable", true}});
    return types::unknownFieldsBySchema(cm, schema);
  };
  t.columns = {types::nameColumn(),
               {"Data", "string", "",
                "Data contains the configuration data. Each key must consist of alphanumeric "
                "characters, '-', '_' or '.'.",
                0},
               types::ageColumn()};
  t.row = [now = std::move(now)](const json& cm) -> std::vector<json> {
    return {types::nameOf(cm), count(cm, "data") + count(cm, "binaryData"), types::ageOf(cm, now)};
  };
  return t;
}

}  // namespace berth::apiserver
