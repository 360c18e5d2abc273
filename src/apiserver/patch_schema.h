#pragma once

// The patch metadata strategic merge patch needs: for each field of each object type, how a
// patch combines with the stored value. Kubernetes reads it from Go struct tags
// (`patchStrategy:"merge" patchMergeKey:"name"`); Berth describes the same tags in a table
// (patch_schema.cc) as a small graph of named types, so PodSpec is described once and reached
// from Pod, PodTemplateSpec, Deployment, Job, CronJob, ...
//
// A field absent from its type, or a type with no description, is free-form: maps merge key by
// key and lists are replaced whole, as in a JSON merge patch.
//
// A PatchSchema is immutable after build() and safe to share between threads.

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::apiserver {

// One row of the table: field `field` of type `type`.
struct PatchFieldDef {
  std::string_view type;      // the owning type, e.g. "PodSpec"
  std::string_view field;     // JSON name, e.g. "containers"
  std::string_view child;     // the type of the value (of each element for a list); "" = free-form
  std::string_view strategy;  // Go's patchStrategy tag: "", "merge", "replace", "retainKeys",
                              // "merge,retainKeys"
  std::string_view mergeKey;  // Go's patchMergeKey tag; "" for primitive lists
};

// One kind and the type of its whole object.
struct PatchKindDef {
  std::string_view apiVersion;  // "v1", "apps/v1"
  std::string_view kind;        // "Deployment"
  std::string_view type;        // a type named in the field table
};

class PatchSchema {
 public:
  struct Type;

  struct Field {
    const Type* type = nullptr;  // null: free-form
    bool mergeList = false;      // patchStrategy merge: lists merge (by mergeKey, or as a set)
    bool replace = false;        // patchStrategy replace: the patch value replaces the field
    std::string mergeKey;        // for a mergeList of objects
  };

  struct Type {
    std::string name;
    std::map<std::string, Field, std::less<>> fields;

    // The field named `name`, or null when the type does not describe it.
    const Field* field(std::string_view name) const;
  };

  // Builds the graph. Fails (kInvalidArgument) when a row names a child type that has no row
  // of its own, a kind's type is unknown, a strategy is not one of the Go tags, or a merge key
  // is given without the merge strategy.
  static Result<PatchSchema> build(std::span<const PatchFieldDef> fields,
                                   std::span<const PatchKindDef> kinds);

  // The type of objects of (apiVersion, kind), or null for a kind the schema does not know.
  const Type* typeForKind(std::string_view apiVersion, std::string_view kind) const;
  // The type called `name`, or null.
  const Type* typeNamed(std::string_view name) const;

 private:
  // unique_ptr keeps Type addresses stable: Fields point at them.
  std::map<std::string, std::unique_ptr<Type>, std::less<>> types_;
  std::map<std::string, const Type*, std::less<>> kinds_;  // "apiVersion|kind"
};

// Berth's built-in types: ObjectMeta; core/v1 Pod, PodTemplate, ReplicationController, Node,
// Service, Namespace, ServiceAccount, PersistentVolumeClaim, ConfigMap, Secret, Event,
// Endpoints; apps/v1 Deployment, ReplicaSet, DaemonSet, StatefulSet; batch/v1 Job, CronJob;
// autoscaling/v1+v2 HorizontalPodAutoscaler and v1 Scale; coordination/v1 Lease; policy/v1
// PodDisruptionBudget; events.k8s.io/v1 Event. Built once from the table, on first use.
const PatchSchema& builtinPatchSchema();

}  // namespace berth::apiserver
