// The Namespace resource type (cluster-scoped): DNS-1123 label names, the
// kubernetes.io/metadata.name label, the "kubernetes" finalizer and phase Active on create.

#include "api/name_validation.h"
#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;

namespace {

constexpr const char* kNameLabel = "kubernetes.io/metadata.name";

// SetDefaults_Namespace: the name label always mirrors the name.
void defaults(json& ns) {
  if (!ns.is_object()) {
    return;
  }
  std::string name = types::nameOf(ns);
  if (name.empty()) {
    return;
  }
  json& meta = ns["metadata"];  // an object: it has a name
  if (!meta["labels"].is_object()) {
    meta["labels"] = json::object();
  }
  meta["labels"][kNameLabel] = name;
  if (!ns["status"].is_object()) {
    ns["status"] = json::object();
  }
  if (types::text(ns, {"status", "phase"}).empty()) {
    ns["status"]["phase"] = "Active";
  }
}

// namespaceStrategy.PrepareForCreate.
void prepareForCreate(json& ns) {
  if (!ns.is_object()) {
    return;
  }
  ns["status"] = {{"phase", "Active"}};
  if (!ns["spec"].is_object()) {
    ns["spec"] = json::object();
  }
  json& finalizers = ns["spec"]["finalizers"];
  if (!finalizers.is_array()) {
    finalizers = json::array();
  }
  for (const auto& f : finalizers) {
    if (f == "kubernetes") {
      return;
    }
  }
  finalizers.push_back("kubernetes");
}

std::vector<Cause> validate(const json& ns, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(ns, *old, errors);
  }
  types::validateObjectMeta(ns, false, types::NameRule::kDns1123Label, errors);
  if (const json* finalizers = types::at(ns, {"spec", "finalizers"});
      finalizers && finalizers->is_array()) {
    for (const auto& f : *finalizers) {
      std::string name = f.is_string() ? f.get<std::string>() : f.dump();
      // validateFinalizerName: a qualified name; without a '/' only the standard names.
      api::internal::addInvalid(errors, "spec.finalizers", name, api::isQualifiedName(name));
      if (name.find('/') == std::string::npos && name != "kubernetes" && name != "orphan" &&
          name != "foregroundDeletion") {
        errors.push_back(api::internal::invalid(
            "spec.finalizers", name,
            "name is neither a standard finalizer name nor is it fully qualified"));
      }
    }
  }
  return types::toCauses(errors);
}

}  // namespace

ResourceType namespaceType(NowFn now) {
  ResourceType t;
  t.version = "v1";
  t.resource = "namespaces";
  t.kind = "Namespace";
  t.singular = "namespace";
  t.namespaced = false;
  t.shortNames = {"ns"};
  t.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  t.subresources = {"status"};
  t.hasStatus = true;
  t.defaults = defaults;
  t.validate = validate;
  t.prepareForCreate = prepareForCreate;
  t.unknownFields = [](const json& ns) {
    static const json schema = types::objectSchema(
        {{"spec", {{"finalizers", true}}}, {"status", {{"phase", true}, {"conditions", true}}}});
    return types::unknownFieldsBySchema(ns, schema);
  };
  t.columns = {types::nameColumn(),
               {"Status", "string", "", "The status of the namespace", 0},
               types::ageColumn()};
  t.row = [now = std::move(now)](const json& ns) -> std::vector<json> {
    return {types::nameOf(ns), types::text(ns, {"status", "phase"}), types::ageOf(ns, now)};
  };
  t.fields = [](const json& ns) -> std::map<std::string, std::string> {
    return {{"status.phase", types::text(ns, {"status", "phase"})}};
  };
  return t;
}

}  // namespace berth::apiserver
