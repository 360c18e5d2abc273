#pragma once

// The bridge between the ARM container-group API and the internal Kubernetes-style resource
// containergroups.instances.berth.io/v1 (kind ContainerGroup) that the API server stores and the
// group controller acts on (/work/notes/issue4-contract.md):
//   metadata  name = group name, namespace = podNamespace(sub, rg), labels = groupLabels,
//             annotations = groupAnnotations (exact ARM subscription, resource group and id)
//             plus kOperationStartedAnnotation (when the last PUT/start was accepted) and
//             kTagsAnnotation (the ARM tags as a JSON object: a tags-only update then changes
//             no spec and bumps no generation)
//   spec      {"group": encodeContainerGroup(group) without secrets and tags, "desiredState":
//             "Running"|"Stopped", "restartedAt": RFC 3339 (absent until a restart)}
//   status    written by the controller only: provisioningState, instanceView, containers
//             (name -> container instanceView, ARM JSON), ipAddress, podUid, observedGeneration
// Plus the parts of the ARM layer that need no server: operation ids, $skipToken paging, the
// not-found error and the location endpoints' bodies. Pure functions.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "instances/arm_error.h"
#include "instances/container_group.h"
#include "instances/pod_naming.h"
#include "instances/quota.h"

namespace berth::instances {

inline constexpr const char* kInternalApiGroup = "instances.berth.io";
inline constexpr const char* kInternalVersion = "v1";
inline constexpr const char* kInternalResource = "containergroups";
inline constexpr const char* kInternalKind = "ContainerGroup";
inline constexpr const char* kDesiredRunning = "Running";
inline constexpr const char* kDesiredStopped = "Stopped";
inline constexpr const char* kOperationStartedAnnotation = "instances.berth.io/operation-started";
inline constexpr const char* kTagsAnnotation = "instances.berth.io/tags";

// The group without secure environment values, registry passwords and secret volume contents:
// what the stored spec holds (decode(encode(g, {false}))).
ContainerGroup withoutSecrets(const ContainerGroup& group);

// The internal object for a new or updated group (no status; no secrets in it).
// `restartedAt` empty: none.
nlohmann::json internalObject(const ContainerGroup& group, const std::string& desiredState,
                              const std::string& restartedAt, const std::string& operationStarted);

// The stored group (no secrets; tags from their annotation), read-only fields included, from
// an internal object.
// 500 InternalServerError when spec.group does not decode.
ArmResult<ContainerGroup> storedGroup(const nlohmann::json& object);

// The group as ARM returns it (GET, LIST, PUT and DELETE responses): spec.group with its tags,
// properties.provisioningState = status.provisioningState ("Pending" before the controller
// wrote any), properties.instanceView = status.instanceView, each container's instanceView
// from status.containers and ipAddress.ip from status.ipAddress, when present.
nlohmann::json armGroupJson(const nlohmann::json& object);

// 404 ResourceNotFound, ARM's message:
// "The Resource 'Microsoft.ContainerInstance/containerGroups/NAME' under resource group 'RG'
// was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
ArmError groupNotFound(const std::string& resourceGroup, const std::string& name);

// --- long-running operations ------------------------------------------------------------------

// An operation is a (group, generation) pair: its id is the unpadded base64url of
// "sub\nrg\nname\ngeneration", so no state is kept for it.
struct OperationRef {
  GroupKey key;
  int64_t generation = 0;
  bool operator==(const OperationRef&) const = default;
};
std::string operationId(const OperationRef& ref);
std::optional<OperationRef> parseOperationId(const std::string& id);

// The Azure-AsyncOperation status body of operation `ref` (id = the operation URL's path):
//   {"id", "name": opId, "status": "InProgress"|"Succeeded"|"Failed"|"Canceled", "startTime",
//    "endTime" (when finished), "error" (when Failed)}
// `object` is the internal object now (null: the group is gone, which cancels the operation).
// InProgress while status.observedGeneration < ref.generation or the provisioningState is
// Pending, Creating, Updating, Accepted or Repairing; then Succeeded or Failed from it.
// `now` (RFC 3339) is the endTime of a finished operation.
nlohmann::json operationStatus(const std::string& id, const OperationRef& ref,
                               const nlohmann::json* object, const std::string& now);

// --- paging -----------------------------------------------------------------------------------

// $skipToken values: the unpadded base64url of the last id of the previous page.
std::string skipToken(const std::string& lastId);
std::optional<std::string> parseSkipToken(const std::string& token);

struct ListPage {
  std::vector<nlohmann::json> value;
  std::optional<std::string> skipToken;  // set when more items follow
};

// Sorts ARM groups by id (case-insensitively), keeps those after `afterId` and cuts the page
// at `top` items (top >= 1).
ListPage pageOf(std::vector<nlohmann::json> groups, const std::optional<std::string>& afterId,
                size_t top);

// --- locations --------------------------------------------------------------------------------

// GET .../locations/{l}/usages: ContainerGroups and StandardCores, {"value": [{"id"?,
// "unit": "Count", "currentValue", "limit", "name": {"value", "localizedValue"}}]}.
nlohmann::json usagesBody(const SubscriptionUsage& usage, const SubscriptionQuota& quota);
// GET .../locations/{l}/capabilities: Linux, Public and Private, no GPU, the group quota.
nlohmann::json capabilitiesBody(const std::string& location, const GroupQuota& quota);
// GET .../locations/{l}/cachedImages: {"value": [{"osType": "Linux", "image": ...}]}.
nlohmann::json cachedImagesBody(const std::vector<std::string>& images);

}  // namespace berth::instances
