// The apps/v1 ReplicaSet resource type, after kube-apiserver's pkg/registry/apps/replicaset
// strategy, SetDefaults_ReplicaSet and ValidateReplicaSet (pkg/apis/apps/validation).

#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"
#include "apiserver/workload_support.h"

namespace berth::apiserver {

using nlohmann::json;
namespace internal = api::internal;

namespace {

void defaults(json& rs) {
  if (!rs.is_object()) {
    return;
  }
  if (!rs.contains("spec") || !rs["spec"].is_object()) {
    rs["spec"] = json::object();
  }
  if (!rs["spec"].contains("replicas") || rs["spec"]["replicas"].is_null()) {
    rs["spec"]["replicas"] = 1;
  }
  workload::applyTemplateDefaults(rs);
}

void validateStatus(const json& object, types::Errors& out) {
  workload::validateReplicaCounts(object,
                                  {"replicas", "fullyLabeledReplicas", "readyReplicas",
                                   "availableReplicas", "observedGeneration"},
                                  {"fullyLabeledReplicas", "readyReplicas", "availableReplicas"},
                                  out);
}

std::vector<Cause> validate(const json& rs, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(rs, *old, errors);
  }
  types::validateObjectMeta(rs, true, types::NameRule::kDns1123Subdomain, errors);
  static const json kEmpty = json::object();
  const json* s = types::at(rs, {"spec"});
  const json& spec = s && s->is_object() ? *s : kEmpty;
  if (auto replicas = workload::readInteger(spec, "replicas", "spec.replicas", errors)) {
    internal::addNonNegative(errors, "spec.replicas", *replicas);
  }
  if (auto minReady =
          workload::readInteger(spec, "minReadySeconds", "spec.minReadySeconds", errors)) {
    internal::addNonNegative(errors, "spec.minReadySeconds", *minReady);
  }
  workload::validateSelectorAndTemplate(rs, errors);
  validateStatus(rs, errors);
  if (old) {
    workload::validateSelectorUnchanged(rs, *old, errors);
  }
  return types::toCauses(errors);
}

std::vector<std::string> unknownFields(const json& rs) {
  static const json schema = types::objectSchema(
      {{"spec",
        {{"replicas", true},
         {"minReadySeconds", true},
         {"selector",
          {{"matchLabels", true},
           {"matchExpressions",
            json::array({{{"key", true}, {"operator", true}, {"values", true}}})}}},
         {"template", true}}},
       {"status",
        {{"replicas", true},
         {"fullyLabeledReplicas", true},
         {"readyReplicas", true},
         {"availableReplicas", true},
         {"terminatingReplicas", true},
         {"observedGeneration", true},
         {"conditions", json::array({{{"type", true},
                                      {"status", true},
                                      {"lastTransitionTime", true},
                                      {"reason", true},
                                      {"message", true}}})}}}});
  auto out = types::unknownFieldsBySchema(rs, schema);
  auto more = workload::unknownTemplateFields(rs);
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

}  // namespace

ResourceType replicaSetType(NowFn now) {
  ResourceType t;
  t.group = "apps";
  t.version = "v1";
  t.resource = "replicasets";
  t.kind = "ReplicaSet";
  t.singular = "replicaset";
  t.namespaced = true;
  t.shortNames = {"rs"};
  t.categories = {"all"};
  t.subresources = {"status", "scale"};
  t.hasGeneration = true;
  t.hasStatus = true;
  t.statusUpdatesAnnotations = true;
  t.scale = ScaleSpec{};
  t.defaults = defaults;
  t.validate = validate;
  t.unknownFields = unknownFields;
  t.prepareForCreate = [](json& rs) {
    if (rs.is_object()) {
      rs["status"] = {{"replicas", 0}};
    }
  };
  t.columns = {
      types::nameColumn(),
      {"Desired", "integer", "",
       "Replicas is the number of desired replicas. This is a pointer to distinguish between "
       "explicit zero and unspecified. Defaults to 1. More info: "
       "https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#replicaset",
       0},
      {"Current", "integer", "",
       "Replicas is the most recently observed number of replicas. More info: "
       "https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#replicaset",
       0},
      {"Ready", "integer", "",
       "readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.",
       0},
      types::ageColumn(),
      {"Containers", "string", "", "Names of each container in the template.", 1},
      {"Images", "string", "", "Images referenced by each container in the template.", 1},
      {"Selector", "string", "",
       "Selector is a label query over pods that should match the replica count. Label keys and "
       "values that must match in order to be controlled by this replica set. It must match the "
       "pod template's labels. More info: "
       "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
       1}};
  t.row = [now = std::move(now)](const json& rs) -> std::vector<json> {
    return {types::nameOf(rs),
            workload::count(rs, "spec", "replicas"),
            workload::count(rs, "status", "replicas"),
            workload::count(rs, "status", "readyReplicas"),
            types::ageOf(rs, now),
            workload::templateContainerNames(rs),
            workload::templateImages(rs),
            workload::selectorString(rs)};
  };
  t.fields = [](const json& rs) -> std::map<std::string, std::string> {
    return {{"status.replicas", std::to_string(workload::count(rs, "status", "replicas"))}};
  };
  return t;
}

}  // namespace berth::apiserver
