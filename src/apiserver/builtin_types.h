#pragma once

// The built-in resource types Berth serves, each a ResourceType with its strategy hooks
// (defaults, validation, unknown fields, prepareForCreate, Table columns and rows, field
// selector attributes), written after kube-apiserver's registry strategies and kubectl's
// printers (k8s.io/kubernetes/pkg/printers/internalversion).
//
// Validation hooks check the whole object, metadata included (ValidateObjectMeta: name,
// namespace, labels, annotations, ownerReferences), so the handlers need no metadata
// validation of their own; on update they add ValidateObjectMetaUpdate (namespace, uid,
// creationTimestamp immutable) and the kind's update rules. Names of cluster-scoped objects are
// checked, their namespace is not (the handlers clear it, as kube-apiserver does).
//
// Rows print ages relative to `now` (see human_duration.h); an empty NowFn reads the system
// clock. The NowFn is copied into the hooks and must stay callable for the registry's lifetime.
//
// Thread safety: the returned types are immutable; their hooks may run concurrently.

#include "apiserver/human_duration.h"
#include "apiserver/resource_type.h"

namespace berth::apiserver {

// core/v1 pods: shortName po, category all, subresources status, binding, log, exec,
// eviction. See pod_strategy.h for the rules.
ResourceType podType(NowFn now = {});
// core/v1 namespaces (cluster-scoped): shortName ns, subresource status. Name a DNS-1123
// label; label kubernetes.io/metadata.name=<name> always set; on create spec.finalizers gets
// "kubernetes" and status.phase is Active.
ResourceType namespaceType(NowFn now = {});
// core/v1 nodes (cluster-scoped): shortName no, subresource status. Name a DNS-1123
// subdomain; taints checked; podCIDR/providerID may only go from "" to a value.
ResourceType nodeType(NowFn now = {});
// core/v1 events: shortName ev. involvedObject and reason required; the involved object's
// namespace must match the event's.
ResourceType eventType(NowFn now = {});
// core/v1 configmaps: shortName cm. Keys [-._a-zA-Z0-9]+ (<= 253), 1 MiB in total, and
// `immutable: true` freezes data, binaryData and the flag itself.
ResourceType configMapType(NowFn now = {});
// core/v1 secrets. stringData is merged into data (base64) by the defaults, type defaults to
// Opaque and never changes; data values must be base64; same key/size/immutable rules as
// configmaps plus the required keys of the well-known types.
ResourceType secretType(NowFn now = {});
// coordination.k8s.io/v1 leases: HOLDER column; leaseDurationSeconds > 0, leaseTransitions
// >= 0, acquireTime/renewTime RFC 3339 (MicroTime).
ResourceType leaseType(NowFn now = {});

// Adds the types above in discovery order: pods, namespaces, nodes, events, configmaps,
// secrets, leases.
void registerBuiltinTypes(ResourceRegistry& registry, NowFn now = {});

}  // namespace berth::apiserver
