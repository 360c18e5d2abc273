#pragma once

// The generic `scale` subresource (autoscaling/v1 Scale) of every kind whose ResourceType has
// a ScaleSpec (deployments, replicasets), as kube-apiserver's ScaleREST serves it:
//   GET   .../deployments/web/scale -> {"kind":"Scale","apiVersion":"autoscaling/v1",
//         "metadata":{name,namespace,uid,resourceVersion,creationTimestamp},
//         "spec":{"replicas":N},"status":{"replicas":M,"selector":"app=web"}}
//   PUT   the Scale (a body without Content-Type is JSON: kubectl scale --current-replicas sends
//         none); a metadata.resourceVersion in it is a precondition on the parent (409 Conflict
//         naming the parent when it moved on);
//   PATCH merge, strategic or JSON patch applied to the Scale.
// Writes change only the parent's replicas (through the parent's admission: defaults,
// validation, generation bump) and answer the new Scale. A Scale with spec.replicas < 0 is
// refused with the Scale's own 422:
//   Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than
//   or equal to 0
// The pure pieces are exposed for tests.

#include <nlohmann/json.hpp>
#include <vector>

#include "apiserver/resource_handlers.h"
#include "apiserver/resource_type.h"

namespace berth::apiserver {

// The Scale of `object` by `spec` (the type's ScaleSpec). A missing replicas count reads 0; a
// LabelSelector object becomes its string form, a string selector is copied; an empty
// selector is omitted.
nlohmann::json scaleOf(const ScaleSpec& spec, const nlohmann::json& object);

// ValidateScale: spec.replicas, when present, an integer >= 0 (causes for the Scale's 422).
std::vector<Cause> validateScale(const nlohmann::json& scale);

// `object` with the replicas of `scale` at spec.specReplicasPath (missing -> 0, as Go's zero
// value) and the Scale's resourceVersion, when it has one, as the precondition.
nlohmann::json applyScale(const ScaleSpec& spec, nlohmann::json object,
                          const nlohmann::json& scale);

// Registers "<resource>/scale" for every type of the registry that has a ScaleSpec.
// REQUIRES: before serving; `handlers` outlives the server.
void addScaleSubresources(ResourceHandlers& handlers);

}  // namespace berth::apiserver
