#pragma once

// Helpers on JSON objects shared by the controllers (Kubernetes' pkg/controller utilities):
// owner references, pod readiness and availability, timestamps. Pure functions, thread-safe.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace berth::controllers {

using nlohmann::json;

// Parses an RFC 3339 timestamp ("2026-11-29T03:57:25Z", fractions and offsets allowed);
// nullopt when absent or malformed.
std::optional<Clock::WallTime> parseTimestamp(const json& value);

// metadata.<field> as a string ("" when absent).
std::string metaString(const json& object, const char* field);
// metadata.labels as a map.
std::map<std::string, std::string> labelsOf(const json& object);
// Whether metadata.deletionTimestamp is set.
bool isDeleting(const json& object);
// Whether metadata.finalizers holds `finalizer`.
bool hasFinalizer(const json& object, const std::string& finalizer);

// metadata.ownerReferences (an empty array when absent).
json ownerReferences(const json& object);
// The ownerReference with controller: true, if any.
std::optional<json> controllerRef(const json& object);
// An ownerReference naming `owner` (of `apiVersion` and `kind`: list items may lack them) with
// controller and blockOwnerDeletion true, as controllers set on what they create.
json newControllerRef(const json& owner, const std::string& apiVersion, const std::string& kind);

// Pods (Kubernetes' pkg/api/v1/pod and controller.FilterActivePods).
std::string podPhase(const json& pod);
// The Ready condition, if present.
std::optional<json> podReadyCondition(const json& pod);
bool isPodReady(const json& pod);
// Ready for at least `minReadySeconds` at `now` (lastTransitionTime of the Ready condition).
bool isPodAvailable(const json& pod, int64_t minReadySeconds, Clock::WallTime now);
// Not Succeeded, not Failed and not being deleted.
bool isPodActive(const json& pod);
// The largest restartCount among the container statuses.
int64_t maxContainerRestarts(const json& pod);

}  // namespace berth::controllers
