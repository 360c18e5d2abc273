#pragma once

// Deletion propagation (DeleteOptions.propagationPolicy / orphanDependents), as kube-apiserver's
// generic store applies it before the garbage collector takes over
// (deletionFinalizersForGarbageCollection in k8s.io/apiserver/pkg/registry/generic/registry):
//   Foreground -> the object keeps existing, with a deletionTimestamp and the finalizer
//                 "foregroundDeletion", until the GC has deleted its blocking dependents and
//                 removed the finalizer;
//   Orphan     -> likewise with the finalizer "orphan": the GC removes the object's
//                 ownerReferences from its dependents, then the finalizer;
//   Background -> no GC finalizer: the object goes at once (unless other finalizers or a
//                 pod's grace period hold it) and the GC deletes the dependents afterwards.
// Without a policy the object's own GC finalizer decides (an object already being deleted
// in the foreground stays so), else the default, Background, which is what apps/v1 (and every
// kind Berth serves) uses. Pure functions, thread-safe.

#include <string>
#include <vector>

namespace berth::apiserver {

inline constexpr const char* kFinalizerOrphanDependents = "orphan";
inline constexpr const char* kFinalizerDeleteDependents = "foregroundDeletion";

// The finalizers an object with `current` finalizers has after a delete request with
// `policy` ("", "Background", "Foreground" or "Orphan"; orphanDependents=true arrives here as
// "Orphan"): other finalizers kept in order, then "orphan" or "foregroundDeletion" appended
// as the policy asks; the other GC finalizer removed. Returns `current` unchanged when the set
// stays the same.
std::vector<std::string> finalizersForDeletion(const std::vector<std::string>& current,
                                               const std::string& policy);

}  // namespace berth::apiserver
