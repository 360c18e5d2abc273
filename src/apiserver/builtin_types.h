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

// apps/v1 deployments: shortName deploy, category all, subresources status and scale.
// Defaults as SetDefaults_Deployment (replicas 1, strategy RollingUpdate 25%/25%,
// revisionHistoryLimit 10, progressDeadlineSeconds 600) plus the Pod defaults in
// spec.template.spec; ValidateDeployment's rules and messages (selector required, matching
// the template labels and immutable; intstr rules of the rolling update; template as a pod's
// spec with restartPolicy Always); generation also bumps on annotation changes. Columns READY
// UP-TO-DATE AVAILABLE AGE (wide: CONTAINERS IMAGES SELECTOR).
ResourceType deploymentType(NowFn now = {});
// apps/v1 replicasets: shortName rs, category all, subresources status and scale; replicas
// defaults to 1; ValidateReplicaSet. Columns DESIRED CURRENT READY AGE (wide: CONTAINERS
// IMAGES SELECTOR); field selector status.replicas.
ResourceType replicaSetType(NowFn now = {});

// autoscaling/v2 horizontalpodautoscalers, the storage and preferred version: shortName hpa,
// category all, subresource status. Defaults and conversion in hpa_conversion.h; validation
// as ValidateHorizontalPodAutoscaler ("spec.maxReplicas: Invalid value: 1: must be greater than
// or equal to `minReplicas`"); columns REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE.
ResourceType horizontalPodAutoscalerType(NowFn now = {});
// autoscaling/v1 horizontalpodautoscalers: the same objects seen through hpa::toV1/toV2
// (toStorage/fromStorage hooks); defaults minReplicas 1; validated in their v2 form.
ResourceType horizontalPodAutoscalerV1Type(NowFn now = {});
// The TARGETS cell of an autoscaling/v2 HPA as kubectl prints it: "cpu: 12%/80%",
// "cpu: <unknown>/80%", "memory: 10Mi/500Mi", "<none>", at most two then " + N more...".
std::string hpaTargets(const nlohmann::json& hpa);
// metrics.k8s.io/v1beta1 pods (PodMetrics) and nodes (NodeMetrics, cluster-scoped): verbs get
// and list only. Registered for discovery and OpenAPI; served by metrics_routes.h, not by the
// generic handlers.
ResourceType podMetricsType();
ResourceType nodeMetricsType();
// instances.berth.io/v1 containergroups (ContainerGroup): the internal form of an ARM container
// group (instances/arm_resource.h), written by the ARM routes (arm_routes.h) and run by the
// group controller. shortName cg, subresource status, generation; spec.group required,
// spec.desiredState Running (default) | Stopped, spec.restartedAt RFC 3339. Columns STATE
// DESIRED AGE.
ResourceType containerGroupType(NowFn now = {});
// instances.berth.io/v1 meterrecords (MeterRecord): the billing intervals of container groups
// (instances/meter_record.h, instances/metering.h). Spec as readMeterRecord reads it; on update
// only spec.end and spec.endReason may be added, and a closed record never changes. Columns
// GROUP START END AGE.
ResourceType meterRecordType(NowFn now = {});

// Adds the types above in discovery order: pods, namespaces, nodes, events, configmaps,
// secrets, leases, deployments, replicasets, horizontalpodautoscalers (v2 then v1, so v2 is
// preferred), pods and nodes metrics, containergroups, meterrecords.
void registerBuiltinTypes(ResourceRegistry& registry, NowFn now = {});

}  // namespace berth::apiserver
