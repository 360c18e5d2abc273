// The apps/v1 Deployment resource type, after kube-apiserver's pkg/registry/apps/deployment
// strategy, SetDefaults_Deployment and ValidateDeployment (pkg/apis/apps/validation).

#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"
#include "apiserver/workload_support.h"

namespace berth::apiserver {

using nlohmann::json;
namespace internal = api::internal;

namespace {

void setIfMissing(json& object, const char* key, json value) {
  if (!object.contains(key) || object[key].is_null()) {
    object[key] = std::move(value);
  }
}

void validateRollingUpdate(const json& rollingUpdate, types::Errors& out) {
  const std::string path = "spec.strategy.rollingUpdate";
  std::optional<workload::IntOrString> values[2];
  const char* names[2] = {"maxUnavailable", "maxSurge"};
  for (int i = 0; i < 2; ++i) {
    std::string field = path + "." + names[i];
    const json* v = types::at(rollingUpdate, {names[i]});
    if (v == nullptr || v->is_null()) {
      values[i] = workload::IntOrString{};  // the internal type's zero value
      continue;
    }
    values[i] = workload::readIntOrString(*v);
    if (!values[i]) {
      out.push_back(
          {field, "Invalid value", v->dump(), "must be an integer or percentage (e.g '5%')"});
      values[i] = workload::IntOrString{};
      continue;
    }
    workload::validatePositiveIntOrPercent(*values[i], field, out);
  }
  if (workload::intOrPercentValue(*values[0]) == 0 &&
      workload::intOrPercentValue(*values[1]) == 0) {
    out.push_back({path + ".maxUnavailable", "Invalid value", values[0]->goString(),
                   "may not be 0 when `maxSurge` is 0"});
  }
  workload::validateNotMoreThan100Percent(*values[0], path + ".maxUnavailable", out);
}

void validateStrategy(const json& spec, types::Errors& out) {
  static const json kEmpty = json::object();
  const json* s = types::at(spec, {"strategy"});
  const json& strategy = s && s->is_object() ? *s : kEmpty;
  std::string type = types::text(strategy, {"type"});
  const json* rollingUpdate = types::at(strategy, {"rollingUpdate"});
  bool hasRollingUpdate = rollingUpdate && !rollingUpdate->is_null();
  if (type == "Recreate") {
    if (hasRollingUpdate) {
      out.push_back(internal::forbidden("spec.strategy.rollingUpdate",
                                        "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else if (type == "RollingUpdate") {
    if (!hasRollingUpdate) {
      out.push_back(internal::required("spec.strategy.rollingUpdate",
                                       "this should be defaulted and never be nil"));
    } else {
      validateRollingUpdate(*rollingUpdate, out);
    }
  } else {
    std::string value = "apps.DeploymentStrategy{Type:" + internal::goQuote(type) +
                        ", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}";
    out.push_back({"spec.strategy", "Unsupported value", value,
                   "supported values: \"Recreate\", \"RollingUpdate\""});
  }
}

void validateStatus(const json& object, types::Errors& out) {
  workload::validateReplicaCounts(
      object,
      {"observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
       "unavailableReplicas", "collisionCount"},
      {"updatedReplicas", "readyReplicas", "availableReplicas"}, out);
}

std::vector<Cause> validate(const json& d, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(d, *old, errors);
  }
  types::validateObjectMeta(d, true, types::NameRule::kDns1123Subdomain, errors);
  static const json kEmpty = json::object();
  const json* s = types::at(d, {"spec"});
  const json& spec = s && s->is_object() ? *s : kEmpty;
  if (auto replicas = workload::readInteger(spec, "replicas", "spec.replicas", errors)) {
    internal::addNonNegative(errors, "spec.replicas", *replicas);
  }
  workload::validateSelectorAndTemplate(d, errors);
  validateStrategy(spec, errors);
  auto minReady = workload::readInteger(spec, "minReadySeconds", "spec.minReadySeconds", errors);
  internal::addNonNegative(errors, "spec.minReadySeconds", minReady.value_or(0));
  if (auto limit = workload::readInteger(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit",
                                         errors)) {
    internal::addNonNegative(errors, "spec.revisionHistoryLimit", *limit);
  }
  if (auto deadline = workload::readInteger(spec, "progressDeadlineSeconds",
                                            "spec.progressDeadlineSeconds", errors)) {
    internal::addNonNegative(errors, "spec.progressDeadlineSeconds", *deadline);
    if (*deadline <= minReady.value_or(0)) {
      errors.push_back(internal::invalid("spec.progressDeadlineSeconds", *deadline,
                                         "must be greater than minReadySeconds"));
    }
  }
  validateStatus(d, errors);
  if (old) {
    workload::validateSelectorUnchanged(d, *old, errors);
  }
  return types::toCauses(errors);
}

json selectorSchema() {
  return {
      {"matchLabels", true},
      {"matchExpressions", json::array({{{"key", true}, {"operator", true}, {"values", true}}})}};
}

std::vector<std::string> unknownFields(const json& d) {
  static const json schema = types::objectSchema(
      {{"spec",
        {{"replicas", true},
         {"selector", selectorSchema()},
         {"template", true},
         {"strategy",
          {{"type", true}, {"rollingUpdate", {{"maxUnavailable", true}, {"maxSurge", true}}}}},
         {"minReadySeconds", true},
         {"revisionHistoryLimit", true},
         {"paused", true},
         {"progressDeadlineSeconds", true}}},
       {"status",
        {{"observedGeneration", true},
         {"replicas", true},
         {"updatedReplicas", true},
         {"readyReplicas", true},
         {"availableReplicas", true},
         {"unavailableReplicas", true},
         {"terminatingReplicas", true},
         {"conditions", json::array({{{"type", true},
                                      {"status", true},
                                      {"lastUpdateTime", true},
                                      {"lastTransitionTime", true},
                                      {"reason", true},
                                      {"message", true}}})},
         {"collisionCount", true}}}});
  auto out = types::unknownFieldsBySchema(d, schema);
  auto more = workload::unknownTemplateFields(d);
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

void applyDeploymentDefaults(json& d) {
  if (!d.is_object()) {
    return;
  }
  if (!d.contains("spec") || !d["spec"].is_object()) {
    d["spec"] = json::object();
  }
  json& spec = d["spec"];
  setIfMissing(spec, "replicas", 1);
  if (!spec.contains("strategy") || !spec["strategy"].is_object()) {
    spec["strategy"] = json::object();
  }
  json& strategy = spec["strategy"];
  if (types::text(strategy, {"type"}).empty()) {
    strategy["type"] = "RollingUpdate";
  }
  if (strategy["type"] == "RollingUpdate") {
    if (!strategy.contains("rollingUpdate") || !strategy["rollingUpdate"].is_object()) {
      strategy["rollingUpdate"] = json::object();
    }
    setIfMissing(strategy["rollingUpdate"], "maxUnavailable", "25%");
    setIfMissing(strategy["rollingUpdate"], "maxSurge", "25%");
  }
  setIfMissing(spec, "revisionHistoryLimit", 10);
  setIfMissing(spec, "progressDeadlineSeconds", 600);
  workload::applyTemplateDefaults(d);
}

}  // namespace

ResourceType deploymentType(NowFn now) {
  ResourceType t;
  t.group = "apps";
  t.version = "v1";
  t.resource = "deployments";
  t.kind = "Deployment";
  t.singular = "deployment";
  t.namespaced = true;
  t.shortNames = {"deploy"};
  t.categories = {"all"};
  t.subresources = {"status", "scale"};
  t.hasGeneration = true;
  t.hasStatus = true;
  t.statusUpdatesAnnotations = true;
  t.scale = ScaleSpec{};
  t.defaults = applyDeploymentDefaults;
  t.validate = validate;
  t.unknownFields = unknownFields;
  t.prepareForCreate = [](json& d) {
    if (d.is_object()) {
      d["status"] = json::object();
    }
  };
  // Annotations are copied to the ReplicaSets, so changing them is a new generation too.
  t.prepareForUpdate = [](json& d, const json& old) {
    const json* now = types::at(d, {"metadata", "annotations"});
    const json* before = types::at(old, {"metadata", "annotations"});
    bool nowEmpty = !now || !now->is_object() || now->empty();
    bool beforeEmpty = !before || !before->is_object() || before->empty();
    bool changed = !(nowEmpty && beforeEmpty) && (nowEmpty || beforeEmpty || *now != *before);
    int64_t oldGeneration = types::at(old, {"metadata", "generation"}) &&
                                    old["metadata"]["generation"].is_number_integer()
                                ? old["metadata"]["generation"].get<int64_t>()
                                : 1;
    if (changed && d["metadata"].value("generation", int64_t{0}) == oldGeneration) {
      d["metadata"]["generation"] = oldGeneration + 1;
    }
  };
  t.columns = {types::nameColumn(),
               {"Ready", "string", "", "Number of the pod with ready state", 0},
               {"Up-to-date", "string", "",
                "Total number of non-terminated pods targeted by this deployment that have the "
                "desired template spec.",
                0},
               {"Available", "string", "",
                "Total number of available pods (ready for at least minReadySeconds) targeted by "
                "this deployment.",
                0},
               types::ageColumn(),
               {"Containers", "string", "", "Names of each container in the template.", 1},
               {"Images", "string", "", "Images referenced by each container in the template.", 1},
               {"Selector", "string", "",
                "Label selector for pods. Existing ReplicaSets whose pods are selected by this "
                "will be the ones affected by this deployment. It must match the pod template's "
                "labels.",
                1}};
  t.row = [now = std::move(now)](const json& d) -> std::vector<json> {
    return {types::nameOf(d),
            std::to_string(workload::count(d, "status", "readyReplicas")) + "/" +
                std::to_string(workload::count(d, "spec", "replicas")),
            workload::count(d, "status", "updatedReplicas"),
            workload::count(d, "status", "availableReplicas"),
            types::ageOf(d, now),
            workload::templateContainerNames(d),
            workload::templateImages(d),
            workload::selectorString(d)};
  };
  return t;
}

}  // namespace berth::apiserver
