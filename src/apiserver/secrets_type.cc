// The Secret resource type: stringData folded into data, type Opaque by default and
// immutable, base64 data, the required keys of the well-known types, `immutable`.

#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"
#include "base/base64.h"

namespace berth::apiserver {

using nlohmann::json;
using types::text;
namespace internal = api::internal;

namespace {

constexpr size_t kMaxSize = size_t{1024} * 1024;  // core.MaxSecretSize
constexpr const char* kImmutableMessage = "field is immutable when `immutable` is set";

// Conversion from v1 (stringData overwrites data) and SetDefaults_Secret (type Opaque).
void defaults(json& secret) {
  if (!secret.is_object()) {
    return;
  }
  if (auto it = secret.find("stringData"); it != secret.end()) {
    if (it->is_object()) {
      json& data = secret["data"];
      if (!data.is_object()) {
        data = json::object();
      }
      for (const auto& [k, v] : it->items()) {
        if (v.is_string()) {
          data[k] = base64Encode(v.get<std::string>());
        }
      }
    }
    if (it->is_object() || it->is_null()) {
      secret.erase("stringData");
    }
  }
  if (text(secret, {"type"}).empty()) {
    secret["type"] = "Opaque";
  }
}

bool hasKey(const json& secret, const char* key) {
  const json* data = types::at(secret, {"data"});
  return data && data->is_object() && data->contains(key);
}

std::optional<std::string> decoded(const json& secret, const char* key) {
  const json* v = types::at(secret, {"data", key});
  if (!v || !v->is_string()) {
    return std::nullopt;
  }
  auto decoded = base64Decode(v->get<std::string>());
  return decoded ? std::optional<std::string>(std::move(*decoded)) : std::nullopt;
}

// The keys the well-known secret types must carry.
void validateType(const json& secret, types::Errors& errors) {
  const std::string type = text(secret, {"type"});
  auto requireJson = [&](const char* key) {
    std::string field = internal::key("data", key);
    if (!hasKey(secret, key)) {
      errors.push_back(internal::required(field));
      return;
    }
    auto bytes = decoded(secret, key);
    if (bytes && json::parse(*bytes, nullptr, false).is_discarded()) {
      errors.push_back(
          internal::invalid(field, "<secret contents redacted>", "must be well-formed JSON"));
    }
  };
  if (type == "kubernetes.io/service-account-token") {
    if (text(secret, {"metadata", "annotations", "kubernetes.io/service-account.name"}).empty()) {
      errors.push_back(internal::required(
          internal::key("metadata.annotations", "kubernetes.io/service-account.name")));
    }
  } else if (type == "kubernetes.io/dockercfg") {
    requireJson(".dockercfg");
  } else if (type == "kubernetes.io/dockerconfigjson") {
    requireJson(".dockerconfigjson");
  } else if (type == "kubernetes.io/basic-auth") {
    if (!hasKey(secret, "username") && !hasKey(secret, "password")) {
      errors.push_back(internal::required(internal::key("data", "username")));
      errors.push_back(internal::required(internal::key("data", "password")));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    auto key = decoded(secret, "ssh-privatekey");
    if (!key || key->empty()) {
      errors.push_back(internal::required(internal::key("data", "ssh-privatekey")));
    }
  } else if (type == "kubernetes.io/tls") {
    for (const char* key : {"tls.crt", "tls.key"}) {
      if (!hasKey(secret, key)) {
        errors.push_back(internal::required(internal::key("data", key)));
      }
    }
  }
}

bool sameData(const json& a, const json& b) {
  const json* x = types::at(a, {"data"});
  const json* y = types::at(b, {"data"});
  bool xEmpty = !x || !x->is_object() || x->empty();
  bool yEmpty = !y || !y->is_object() || y->empty();
  return (xEmpty && yEmpty) || (x && y && *x == *y);
}

std::vector<Cause> validate(const json& secret, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(secret, *old, errors);
  }
  types::validateObjectMeta(secret, true, types::NameRule::kDns1123Subdomain, errors);
  size_t total = types::validateDataMap(secret, "data", true, errors);
  if (total > kMaxSize) {
    errors.push_back(internal::tooLong("data", "must have at most 1048576 bytes"));
  }
  validateType(secret, errors);
  if (old) {
    std::string type = text(secret, {"type"});
    if (type != text(*old, {"type"})) {
      errors.push_back(internal::invalid("type", type, "field is immutable"));
    }
    if (types::flag(*old, {"immutable"})) {
      if (!types::flag(secret, {"immutable"})) {
        errors.push_back(internal::forbidden("immutable", kImmutableMessage));
      }
      if (!sameData(secret, *old)) {
        errors.push_back(internal::forbidden("data", kImmutableMessage));
      }
    }
  }
  return types::toCauses(errors);
}

}  // namespace

ResourceType secretType(NowFn now) {
  ResourceType t;
  t.version = "v1";
  t.resource = "secrets";
  t.kind = "Secret";
  t.singular = "secret";
  t.namespaced = true;
  t.defaults = defaults;
  t.validate = validate;
  t.unknownFields = [](const json& secret) {
    static const json schema = types::objectSchema(
        {{"data", true}, {"stringData", true}, {"type", true}, {"immutable", true}});
    return types::unknownFieldsBySchema(secret, schema);
  };
  t.columns = {
      types::nameColumn(),
      {"Type", "string", "", "Used to facilitate programmatic handling of secret data.", 0},
      {"Data", "string", "", "Data contains the secret data.", 0},
      types::ageColumn()};
  t.row = [now = std::move(now)](const json& secret) -> std::vector<json> {
    const json* data = types::at(secret, {"data"});
    int64_t n = data && data->is_object() ? static_cast<int64_t>(data->size()) : 0;
    return {types::nameOf(secret), text(secret, {"type"}), n, types::ageOf(secret, now)};
  };
  t.fields = [](const json& secret) -> std::map<std::string, std::string> {
    return {{"type", text(secret, {"type"})}};
  };
  return t;
}

}  // namespace berth::apiserver
