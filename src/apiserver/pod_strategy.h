#pragma once

// The pieces of the Pod resource type (pods_type.cc), exposed for tests and for callers that
// act on pods outside the handlers (eviction, binding). All work on the JSON object, so fields
// the typed api::Pod does not model survive; pure functions, thread-safe.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/pod.h"
#include "api/validation.h"
#include "apiserver/resource_type.h"
#include "base/clock.h"

namespace berth::apiserver {

// Applies api::setPodDefaults to the pod without losing fields: the pod is decoded, defaulted
// and encoded, and every field the encoding has and `pod` lacks (recursively; lists element
// by element when their lengths agree) is added. Values already present are never changed. A
// pod that does not decode is left as it is (validation reports why).
void applyPodDefaults(nlohmann::json& pod);

// kube-apiserver's pod PrepareForCreate: status becomes {phase: Pending, qosClass}, the class
// computed on the defaulted pod. spec.nodeName is kept (a user may set it).
void preparePodForCreate(nlohmann::json& pod);

// GetPodQOS: Guaranteed when every container (init included) has cpu and memory limits and
// the summed requests equal the summed limits; BestEffort without any cpu/memory request or
// limit; Burstable otherwise.
std::string podQosClass(const api::Pod& pod);

// ValidatePod (create) or ValidatePodUpdate (when `old` is set): the api::validatePod causes,
// plus on update: metadata update rules, "pod updates may not add or remove containers",
// activeDeadlineSeconds only lowered or kept, tolerations only added, and the spec otherwise
// unchanged apart from container/initContainer images, activeDeadlineSeconds, tolerations
// and terminationGracePeriodSeconds (negative -> 1); otherwise
//   spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,...
// (Kubernetes appends a Go diff of the specs; Berth does not).
std::vector<Cause> validatePodObject(const nlohmann::json& pod, const nlohmann::json* old);

// The update rules alone (the part of validatePodObject that compares with `old`), as
// field errors appended to `out`.
void validatePodUpdateRules(const nlohmann::json& pod, const nlohmann::json& old,
                            std::vector<api::FieldError>& out);

// kubectl's printPod cells for `now`: NAME, READY, STATUS, RESTARTS, AGE, IP, NODE,
// NOMINATED NODE, READINESS GATES.
std::vector<nlohmann::json> podRow(const nlohmann::json& pod, Clock::WallTime now);
std::vector<TableColumn> podColumns();

// Field selector attributes: spec.nodeName, spec.restartPolicy, spec.schedulerName,
// spec.serviceAccountName, spec.hostNetwork, status.phase, status.podIP (podIPs[0] first),
// status.nominatedNodeName.
std::map<std::string, std::string> podFields(const nlohmann::json& pod);

}  // namespace berth::apiserver
