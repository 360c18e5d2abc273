#pragma once

// What the API server knows about each kind it serves: names for discovery and routing, and
// the strategy hooks the generic handlers call (defaults, validation, table rows, field
// selector attributes). One ResourceType per group/version/resource; the registry holds them
// in discovery order.

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::apiserver {

using nlohmann::json;

// One field problem found by validation: becomes a cause of a 422 Status.
struct Cause {
  std::string reason;   // "FieldValueInvalid", "FieldValueRequired", "FieldValueNotSupported",
                        // "FieldValueDuplicate", "FieldValueForbidden", "FieldValueTooLong"
  std::string message;  // "Invalid value: \"-1\": must be greater than or equal to 0"
  std::string field;    // "spec.replicas"
};

struct TableColumn {
  std::string name;    // "Name"
  std::string type;    // "string", "integer", "date"
  std::string format;  // "name" for the name column
  std::string description;
  int priority = 0;  // 1: only with -o wide
};

// Where a kind with a `scale` subresource keeps what the autoscaling/v1 Scale shows, as JSON
// pointers into the object (the shape of a CRD's subresources.scale). The selector is either a
// metav1.LabelSelector object (Deployment spec.selector), shown in its string form, or already
// a string (a CRD's status.selector).
struct ScaleSpec {
  std::string specReplicasPath = "/spec/replicas";
  std::string statusReplicasPath = "/status/replicas";
  std::string labelSelectorPath = "/spec/selector";
};

struct ResourceType {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string resource;  // plural, "pods"
  std::string kind;      // "Pod"
  std::string singular;  // "pod"
  bool namespaced = true;
  std::vector<std::string> shortNames;  // "po"
  std::vector<std::string> categories;  // "all"
  std::vector<std::string> verbs = {"create", "delete", "deletecollection", "get",
                                    "list",   "patch",  "update",           "watch"};
  // Subresources served ("status", "binding", "log", "exec", "eviction", "scale").
  std::vector<std::string> subresources;
  // Whether spec changes bump metadata.generation (kinds with a spec).
  bool hasGeneration = false;
  // Whether the kind has a status the main resource must not change (status subresource).
  bool hasStatus = false;
  // Whether a write to the status subresource may also change metadata.annotations (the apps
  // kinds' status strategies reset only spec and labels: the Deployment controller records
  // its revision annotation with UpdateStatus, which does not bump the generation).
  bool statusUpdatesAnnotations = false;
  // Set for kinds that serve the `scale` subresource (list "scale" in subresources too).
  std::optional<ScaleSpec> scale;

  // "apps/v1" or "v1".
  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  // The storage key prefix: "/registry/pods/" or "/registry/coordination.k8s.io/leases/".
  std::string keyPrefix() const {
    return "/registry/" + (group.empty() ? resource : group + "/" + resource) + "/";
  }

  // --- strategy hooks (all optional) ---

  // Fills defaults in a new or updated object (in place).
  std::function<void(json& object)> defaults;
  // Validation of a new object (old == nullptr) or of an update; returns the causes.
  std::function<std::vector<Cause>(const json& object, const json* old)> validate;
  // Unknown fields of the object (paths like "spec.foo") for fieldValidation Strict/Warn;
  // absent: every field is accepted.
  std::function<std::vector<std::string>(const json& object)> unknownFields;
  // Called on create before defaults: e.g. a pod's status is reset to Pending.
  std::function<void(json& object)> prepareForCreate;
  // Called on an update of the main resource (not of a subresource such as status), after
  // defaults and the generation bump for a changed spec, before validation: e.g. a Deployment
  // bumps its generation when its annotations change. `old` is the stored object.
  std::function<void(json& object, const json& old)> prepareForUpdate;

  // Table output: the columns and one row of cells per object (same length as columns).
  std::vector<TableColumn> columns;
  std::function<std::vector<json>(const json& object)> row;

  // Field selector attributes beyond metadata.name / metadata.namespace, e.g.
  // {"spec.nodeName": ..., "status.phase": ...}. Missing fields map to "".
  std::function<std::map<std::string, std::string>(const json& object)> fields;

  // --- versions of one kind ---
  // A kind served in several versions (autoscaling/v2 and v1 HorizontalPodAutoscaler) is
  // stored in one of them, the storage version: its type has no conversion hooks. Every other
  // version's type has both hooks and shares the storage version's keyPrefix() (the key has no
  // version in it), so all versions see the same objects. The ObjectStore converts on the way
  // in (create, replace) and out (get, list, watch events); hooks, handlers and the Table see
  // objects of the type's own version. Conversion must be lossless for a round trip
  // storage -> this version -> storage (Kubernetes keeps what a version cannot express in
  // annotations). Both hooks are pure and set apiVersion/kind of their result.
  std::function<json(const json& object)> toStorage;
  std::function<json(const json& stored)> fromStorage;
};

using ResourceTypePtr = std::shared_ptr<const ResourceType>;

// All served resource types, in discovery order.
class ResourceRegistry {
 public:
  void add(ResourceType type);
  const std::vector<ResourceTypePtr>& all() const { return types_; }
  // By group ("" for core), version and plural resource name.
  ResourceTypePtr find(std::string_view group, std::string_view version,
                       std::string_view resource) const;
  // The group's versions in preference order (the first is preferred).
  std::vector<std::string> versions(std::string_view group) const;
  // The groups in discovery order ("" first when core types exist).
  std::vector<std::string> groups() const;

 private:
  std::vector<ResourceTypePtr> types_;
};

}  // namespace berth::apiserver
