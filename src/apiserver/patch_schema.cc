#include "apiserver/patch_schema.h"

#include <cstdlib>
#include <set>

namespace berth::apiserver {
namespace {

// The patch tags of the Kubernetes types Berth serves, copied by hand from k8s.io/api
// (core/v1, apps/v1, batch/v1, autoscaling/v2, policy/v1) and k8s.io/apimachinery meta/v1.
// Only fields that carry a tag, or lead to one, are listed. Lists without a tag (tolerations,
// spec.taints, containerStatuses, volumeClaimTemplates, ...) are replaced whole, so their
// element types need no rows. Inline Go structs (EphemeralContainerCommon) are flattened:
// an EphemeralContainer has the fields of a Container.
constexpr PatchFieldDef kFields[] = {
    // meta/v1
    {"ObjectMeta", "finalizers", "", "merge", ""},
    {"ObjectMeta", "ownerReferences", "", "merge", "uid"},
    // Kinds with nothing but metadata to describe.
    {"Object", "metadata", "ObjectMeta", "", ""},

    // core/v1 pods
    {"Pod", "metadata", "ObjectMeta", "", ""},
    {"Pod", "spec", "PodSpec", "", ""},
    {"Pod", "status", "PodStatus", "", ""},
    {"PodTemplateSpec", "metadata", "ObjectMeta", "", ""},
    {"PodTemplateSpec", "spec", "PodSpec", "", ""},
    {"PodTemplate", "metadata", "ObjectMeta", "", ""},
    {"PodTemplate", "template", "PodTemplateSpec", "", ""},
    {"PodSpec", "volumes", "", "merge,retainKeys", "name"},
    {"PodSpec", "initContainers", "Container", "merge", "name"},
    {"PodSpec", "containers", "Container", "merge", "name"},
    {"PodSpec", "ephemeralContainers", "Container", "merge", "name"},
    {"PodSpec", "imagePullSecrets", "", "merge", "name"},
    {"PodSpec", "hostAliases", "", "merge", "ip"},
    {"PodSpec", "topologySpreadConstraints", "", "merge", "topologyKey"},
    {"PodSpec", "schedulingGates", "", "merge", "name"},
    {"PodSpec", "resourceClaims", "", "merge,retainKeys", "name"},
    {"Container", "ports", "", "merge", "containerPort"},
    {"Container", "env", "", "merge", "name"},
    {"Container", "volumeMounts", "", "merge", "mountPath"},
    {"Container", "volumeDevices", "", "merge", "devicePath"},
    {"PodStatus", "conditions", "", "merge", "type"},
    {"PodStatus", "hostIPs", "", "merge", "ip"},
    {"PodStatus", "podIPs", "", "merge", "ip"},
    {"PodStatus", "resourceClaimStatuses", "", "merge,retainKeys", "name"},

    // core/v1 others
    {"ReplicationController", "metadata", "ObjectMeta", "", ""},
    {"ReplicationController", "spec", "ReplicationControllerSpec", "", ""},
    {"ReplicationController", "status", "ConditionsStatus", "", ""},
    {"ReplicationControllerSpec", "template", "PodTemplateSpec", "", ""},
    {"Node", "metadata", "ObjectMeta", "", ""},
    {"Node", "spec", "NodeSpec", "", ""},
    {"Node", "status", "NodeStatus", "", ""},
    {"NodeSpec", "podCIDRs", "", "merge", ""},
    {"NodeStatus", "conditions", "", "merge", "type"},
    {"NodeStatus", "addresses", "", "merge", "type"},
    {"Service", "metadata", "ObjectMeta", "", ""},
    {"Service", "spec", "ServiceSpec", "", ""},
    {"Service", "status", "ConditionsStatus", "", ""},
    {"ServiceSpec", "ports", "", "merge", "port"},
    {"Namespace", "metadata", "ObjectMeta", "", ""},
    {"Namespace", "status", "ConditionsStatus", "", ""},
    {"ServiceAccount", "metadata", "ObjectMeta", "", ""},
    {"ServiceAccount", "secrets", "", "merge", "name"},
    {"PersistentVolumeClaim", "metadata", "ObjectMeta", "", ""},
    {"PersistentVolumeClaim", "status", "ConditionsStatus", "", ""},
    // Every status whose only tagged field is `conditions` merged by type (Deployment,
    // ReplicaSet, DaemonSet, StatefulSet, Job, HPA v2, Namespace, Service, PDB, ...).
    {"ConditionsStatus", "conditions", "", "merge", "type"},

    // apps/v1
    {"Deployment", "metadata", "ObjectMeta", "", ""},
    {"Deployment", "spec", "DeploymentSpec", "", ""},
    {"Deployment", "status", "ConditionsStatus", "", ""},
    {"DeploymentSpec", "template", "PodTemplateSpec", "", ""},
    {"DeploymentSpec", "strategy", "", "retainKeys", ""},
    {"WorkloadWithTemplate", "metadata", "ObjectMeta", "", ""},
    {"WorkloadWithTemplate", "spec", "WorkloadSpec", "", ""},
    {"WorkloadWithTemplate", "status", "ConditionsStatus", "", ""},
    {"WorkloadSpec", "template", "PodTemplateSpec", "", ""},

    // batch/v1
    {"Job", "metadata", "ObjectMeta", "", ""},
    {"Job", "spec", "JobSpec", "", ""},
    {"Job", "status", "ConditionsStatus", "", ""},
    {"JobSpec", "template", "PodTemplateSpec", "", ""},
    {"CronJob", "metadata", "ObjectMeta", "", ""},
    {"CronJob", "spec", "CronJobSpec", "", ""},
    {"CronJobSpec", "jobTemplate", "JobTemplateSpec", "", ""},
    {"JobTemplateSpec", "metadata", "ObjectMeta", "", ""},
    {"JobTemplateSpec", "spec", "JobSpec", "", ""},

    // autoscaling/v2
    {"HorizontalPodAutoscaler", "metadata", "ObjectMeta", "", ""},
    {"HorizontalPodAutoscaler", "status", "ConditionsStatus", "", ""},

    // policy/v1
    {"PodDisruptionBudget", "metadata", "ObjectMeta", "", ""},
    {"PodDisruptionBudget", "spec", "PodDisruptionBudgetSpec", "", ""},
    {"PodDisruptionBudget", "status", "ConditionsStatus", "", ""},
    {"PodDisruptionBudgetSpec", "selector", "", "replace", ""},
};

constexpr PatchKindDef kKinds[] = {
    {"v1", "Pod", "Pod"},
    {"v1", "PodTemplate", "PodTemplate"},
    {"v1", "ReplicationController", "ReplicationController"},
    {"v1", "Node", "Node"},
    {"v1", "Service", "Service"},
    {"v1", "Namespace", "Namespace"},
    {"v1", "ServiceAccount", "ServiceAccount"},
    {"v1", "PersistentVolumeClaim", "PersistentVolumeClaim"},
    {"v1", "ConfigMap", "Object"},
    {"v1", "Secret", "Object"},
    {"v1", "Event", "Object"},
    {"v1", "Endpoints", "Object"},
    {"events.k8s.io/v1", "Event", "Object"},
    {"coordination/v1", "Lease", "Object"},
    {"apps/v1", "Deployment", "Deployment"},
    {"apps/v1", "ReplicaSet", "WorkloadWithTemplate"},
    {"apps/v1", "DaemonSet", "WorkloadWithTemplate"},
    {"apps/v1", "StatefulSet", "WorkloadWithTemplate"},
    {"batch/v1", "Job", "Job"},
    {"batch/v1", "CronJob", "CronJob"},
    {"autoscaling/v1", "HorizontalPodAutoscaler", "Object"},
    {"autoscaling/v2", "HorizontalPodAutoscaler", "HorizontalPodAutoscaler"},
    {"autoscaling/v1", "Scale", "Object"},
    {"policy/v1", "PodDisruptionBudget", "PodDisruptionBudget"},
};

std::string kindKey(std::string_view apiVersion, std::string_view kind) {
  return std::string(apiVersion) + "|" + std::string(kind);
}

}  // namespace

const PatchSchema::Field* PatchSchema::Type::field(std::string_view name) const {
  auto it = fields.find(name);
  return it == fields.end() ? nullptr : &it->second;
}

Result<PatchSchema> PatchSchema::build(std::span<const PatchFieldDef> fields,
                                       std::span<const PatchKindDef> kinds) {
  static const std::set<std::string_view> kStrategies = {
      "", "merge", "replace", "retainKeys", "merge,retainKeys", "retainKeys,merge"};
  PatchSchema schema;
  auto typeFor = [&](std::string_view name) {
    auto& slot = schema.types_[std::string(name)];
    if (!slot) {
      slot = std::make_unique<Type>();
      slot->name = name;
    }
    return slot.get();
  };
  for (const auto& def : fields) {
    typeFor(def.type);
  }
  for (const auto& def : fields) {
    if (!kStrategies.contains(def.strategy)) {
      return fail(ErrorCode::kInvalidArgument, "patch schema: '{}.{}': unknown strategy '{}'",
                  def.type, def.field, def.strategy);
    }
    Field field;
    field.mergeList = def.strategy.find("merge") != std::string_view::npos;
    field.replace = def.strategy == "replace";
    if (!def.mergeKey.empty() && !field.mergeList) {
      return fail(ErrorCode::kInvalidArgument,
                  "patch schema: '{}.{}': merge key '{}' without the merge strategy", def.type,
                  def.field, def.mergeKey);
    }
    field.mergeKey = def.mergeKey;
    if (!def.child.empty()) {
      auto child = schema.types_.find(def.child);
      if (child == schema.types_.end()) {
        return fail(ErrorCode::kInvalidArgument, "patch schema: '{}.{}': unknown type '{}'",
                    def.type, def.field, def.child);
      }
      field.type = child->second.get();
    }
    schema.types_.at(std::string(def.type))->fields[std::string(def.field)] = std::move(field);
  }
  for (const auto& def : kinds) {
    auto type = schema.types_.find(def.type);
    if (type == schema.types_.end()) {
      return fail(ErrorCode::kInvalidArgument, "patch schema: kind '{}/{}': unknown type '{}'",
                  def.apiVersion, def.kind, def.type);
    }
    schema.kinds_[kindKey(def.apiVersion, def.kind)] = type->second.get();
  }
  return schema;
}

const PatchSchema::Type* PatchSchema::typeForKind(std::string_view apiVersion,
                                                  std::string_view kind) const {
  auto it = kinds_.find(kindKey(apiVersion, kind));
  return it == kinds_.end() ? nullptr : it->second;
}

const PatchSchema::Type* PatchSchema::typeNamed(std::string_view name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second.get();
}

const PatchSchema& builtinPatchSchema() {
  // Immutable after construction; a bad table is a programming error caught by the unit tests.
  static const PatchSchema schema = [] {
    auto built = PatchSchema::build(kFields, kKinds);
    if (!built) {
      std::abort();
    }
    return std::move(*built);
  }();
  return schema;
}

}  // namespace berth::apiserver
