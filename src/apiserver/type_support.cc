#include "apiserver/type_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "api/name_validation.h"
#include "api/validation_internal.h"
#include "base/base64.h"

namespace berth::apiserver::types {

namespace internal = api::internal;

const json* at(const json& object, std::initializer_list<std::string_view> path) {
  const json* cur = &object;
  for (auto key : path) {
    if (!cur->is_object()) {
      return nullptr;
    }
    auto it = cur->find(key);
    if (it == cur->end()) {
      return nullptr;
    }
    cur = &*it;
  }
  return cur;
}

std::string text(const json& object, std::initializer_list<std::string_view> path) {
  const json* v = at(object, path);
  return v && v->is_string() ? v->get<std::string>() : "";
}

bool flag(const json& object, std::initializer_list<std::string_view> path) {
  const json* v = at(object, path);
  return v && v->is_boolean() && v->get<bool>();
}

Cause toCause(const api::FieldError& e) {
  std::string reason = "FieldValueInvalid";
  if (e.type == "Required value") {
    reason = "FieldValueRequired";
  } else if (e.type == "Unsupported value") {
    reason = "FieldValueNotSupported";
  } else if (e.type == "Duplicate value") {
    reason = "FieldValueDuplicate";
  } else if (e.type == "Not found") {
    reason = "FieldValueNotFound";
  } else if (e.type == "Forbidden") {
    reason = "FieldValueForbidden";
  } else if (e.type == "Too long") {
    reason = "FieldValueTooLong";
  }
  // FieldError::str() is "field: body"; the cause carries the body alone.
  std::string full = e.str();
  std::string body = full.substr(e.field.size() + 2);
  return Cause{std::move(reason), std::move(body), e.field};
}

std::vector<Cause> toCauses(const Errors& errors) {
  std::vector<Cause> out;
  out.reserve(errors.size());
  for (const auto& e : errors) {
    out.push_back(toCause(e));
  }
  return out;
}

namespace {

constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;

// generateName may end in '-': the random suffix follows it.
std::string maskTrailingDash(const std::string& name) {
  if (name.size() > 1 && name.ends_with("-")) {
    return name.substr(0, name.size() - 2) + "a";
  }
  return name;
}

std::vector<std::string> checkName(const std::string& name, NameRule rule) {
  return rule == NameRule::kDns1123Label ? api::isDns1123Label(name)
                                         : api::isDns1123Subdomain(name);
}

// A map of strings at metadata.<key>; a value of another type is reported once.
std::map<std::string, std::string> stringMap(const json& meta, const char* key, Errors& out) {
  std::map<std::string, std::string> result;
  auto it = meta.find(key);
  if (it == meta.end() || it->is_null()) {
    return result;
  }
  std::string path = std::string("metadata.") + key;
  if (!it->is_object()) {
    out.push_back(internal::invalid(path, it->dump(), "must be a map of strings"));
    return result;
  }
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      out.push_back(internal::invalid(internal::key(path, k), v.dump(), "must be a string"));
      continue;
    }
    result[k] = v.get<std::string>();
  }
  return result;
}

}  // namespace

void validateObjectMeta(const json& object, bool namespaced, NameRule rule, Errors& out) {
  static const json kEmpty = json::object();
  const json* metaPtr = at(object, {"metadata"});
  const json& meta = metaPtr && metaPtr->is_object() ? *metaPtr : kEmpty;
  std::string name = text(meta, {"name"});
  std::string generateName = text(meta, {"generateName"});
  if (!generateName.empty()) {
    internal::addInvalid(out, "metadata.generateName", generateName,
                         checkName(maskTrailingDash(generateName), rule));
  }
  if (name.empty()) {
    out.push_back(internal::required("metadata.name", "name or generateName is required"));
  } else {
    internal::addInvalid(out, "metadata.name", name, checkName(name, rule));
  }
  if (namespaced) {
    std::string ns = text(meta, {"namespace"});
    if (ns.empty()) {
      out.push_back(internal::required("metadata.namespace"));
    } else {
      internal::addInvalid(out, "metadata.namespace", ns, api::isDns1123Label(ns));
    }
  }
  if (const json* g = at(meta, {"generation"}); g && g->is_number_integer()) {
    internal::addNonNegative(out, "metadata.generation", g->get<int64_t>());
  }
  internal::validateLabels(stringMap(meta, "labels", out), "metadata.labels", out);
  size_t annotationBytes = 0;
  for (const auto& [k, v] : stringMap(meta, "annotations", out)) {
    std::string lower = k;
    for (char& c : lower) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    internal::addInvalid(out, "metadata.annotations", k, api::isQualifiedName(lower));
    annotationBytes += k.size() + v.size();
  }
  if (annotationBytes > kTotalAnnotationSizeLimit) {
    out.push_back(internal::tooLong("metadata.annotations", "must have at most 262144 bytes"));
  }
  if (const json* refs = at(meta, {"ownerReferences"}); refs && refs->is_array()) {
    for (const auto& ref : *refs) {
      // Kubernetes names these without the list index.
      for (const char* field : {"apiVersion", "kind", "name", "uid"}) {
        if (text(ref, {field}).empty()) {
          std::string what = std::string(field) == "apiVersion" ? "version" : field;
          out.push_back(internal::invalid(std::string("metadata.ownerReferences.") + field, "",
                                          what + " must not be empty"));
        }
      }
    }
  }
}

void validateObjectMetaUpdate(const json& object, const json& old, Errors& out) {
  for (const char* field : {"namespace", "uid", "creationTimestamp"}) {
    std::string now = text(object, {"metadata", field});
    std::string before = text(old, {"metadata", field});
    // An empty value on the new object means "not sent"; the handlers restore it.
    if (!now.empty() && now != before) {
      out.push_back(internal::invalid(std::string("metadata.") + field, now, "field is immutable"));
    }
  }
}

size_t validateDataMap(const json& object, const char* path, bool base64, Errors& out) {
  const json* map = at(object, {path});
  if (!map || map->is_null()) {
    return 0;
  }
  if (!map->is_object()) {
    out.push_back(internal::invalid(path, map->dump(), "must be a map of strings"));
    return 0;
  }
  size_t total = 0;
  for (const auto& [k, v] : map->items()) {
    std::string field = internal::key(path, k);
    internal::addInvalid(out, field, k, api::isConfigMapKey(k));
    if (!v.is_string()) {
      out.push_back(internal::invalid(field, v.dump(), "must be a string"));
      continue;
    }
    const std::string& value = v.get_ref<const std::string&>();
    if (!base64) {
      total += value.size();
      continue;
    }
    auto decoded = base64Decode(value);
    if (!decoded) {
      out.push_back(
          internal::invalid(field, "<secret contents redacted>", decoded.error().message()));
      total += value.size();
      continue;
    }
    total += decoded->size();
  }
  return total;
}

TableColumn nameColumn() {
  return {"Name", "string", "name",
          "Name must be unique within a namespace. More info: "
          "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
          0};
}

TableColumn ageColumn() {
  return {"Age", "string", "",
          "CreationTimestamp is a timestamp representing the server time when this object was "
          "created.",
          0};
}

std::string nameOf(const json& object) {
  return text(object, {"metadata", "name"});
}

std::string ageOf(const json& object, const NowFn& now) {
  return timestampSince(text(object, {"metadata", "creationTimestamp"}), currentTime(now));
}

namespace {

void walk(const json& value, const json& schema, const std::string& path,
          std::vector<std::string>& out) {
  if (schema.is_boolean()) {
    return;
  }
  if (schema.is_array()) {
    if (!value.is_array() || schema.empty()) {
      return;
    }
    for (size_t i = 0; i < value.size(); ++i) {
      walk(value[i], schema[0], internal::index(path, i), out);
    }
    return;
  }
  if (!value.is_object() || !schema.is_object()) {
    return;
  }
  for (const auto& [k, v] : value.items()) {
    std::string child = path.empty() ? k : path + "." + k;
    auto known = schema.find(k);
    if (known == schema.end()) {
      out.push_back(child);
      continue;
    }
    walk(v, *known, child, out);
  }
}

}  // namespace

std::vector<std::string> unknownFieldsBySchema(const json& object, const json& schema) {
  std::vector<std::string> out;
  walk(object, schema, "", out);
  std::sort(out.begin(), out.end());
  return out;
}

json objectSchema(json fields) {
  json ownerReference = {{"apiVersion", true}, {"kind", true},       {"name", true},
                         {"uid", true},        {"controller", true}, {"blockOwnerDeletion", true}};
  json meta = {{"name", true},
               {"generateName", true},
               {"namespace", true},
               {"selfLink", true},
               {"uid", true},
               {"resourceVersion", true},
               {"generation", true},
               {"creationTimestamp", true},
               {"deletionTimestamp", true},
               {"deletionGracePeriodSeconds", true},
               {"labels", true},
               {"annotations", true},
               {"ownerReferences", json::array({ownerReference})},
               {"finalizers", true},
               {"managedFields", true}};
  fields["apiVersion"] = true;
  fields["kind"] = true;
  fields["metadata"] = std::move(meta);
  return fields;
}

}  // namespace berth::apiserver::types
