#pragma once

// The pure decisions of the ContainerGroup controller: reading the internal
// instances.berth.io/v1 ContainerGroup object, the pod that runs it, whether the existing pod
// must go, and the status the object should show. No I/O; thread-safe.
//
// The object (see /work/notes/issue4-contract.md):
//   metadata.annotations  instances.berth.io/subscription, instances.berth.io/resource-group
//   spec                  {"group": <ARM JSON without secrets>, "desiredState": "Running" |
//                          "Stopped", "restartedAt": "<RFC 3339>" (optional)}
//   status                {"provisioningState", "instanceView", "containers", "ipAddress",
//                          "podUid", "startTime", "observedGeneration"}, written by the
//                          controller only
//
// The pod is instances::groupToPod's (same namespace, name = group name), controlled by the
// object (ownerReference with controller and blockOwnerDeletion), and stamped with two
// annotations that say which version of the object it was made for:
//   instances.berth.io/pod-hash      digest of the pod as made from the spec (and of
//                                    spec.secretsHash, when the ARM layer sets one: secret
//                                    values are not in the object): a spec change that changes
//                                    the pod (image, command, ports, secrets, ...) replaces
//                                    it; one that does not (tags) leaves it running
//   instances.berth.io/restarted-at  spec.restartedAt when it was made: a newer restartedAt
//                                    replaces it

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "client/api_client.h"
#include "instances/container_group.h"
#include "instances/pod_to_status.h"

namespace berth::controllers {

using nlohmann::json;

inline constexpr const char* kContainerGroupApiVersion = "instances.berth.io/v1";
inline constexpr const char* kContainerGroupKind = "ContainerGroup";
inline constexpr const char* kPodHashAnnotation = "instances.berth.io/pod-hash";
inline constexpr const char* kRestartedAtAnnotation = "instances.berth.io/restarted-at";

// instances.berth.io/v1 containergroups in `ns` ("" : all namespaces).
client::Resource containerGroups(std::string ns = "");

// What the controller reads from a ContainerGroup object.
struct GroupObject {
  instances::ContainerGroup group;  // subscription, resource group and name filled in
  bool running = true;              // desiredState is not "Stopped"
  std::string restartedAt;          // spec.restartedAt as written, "" when absent
  int64_t generation = 0;           // metadata.generation
  std::string secretsHash;          // spec.secretsHash, "" when absent
};

// kInvalidArgument naming what is missing or malformed (the subscription or resource group
// annotation, spec.group, an ARM decoding error): such an object cannot be run.
Result<GroupObject> readGroupObject(const json& object);

// The pod for `object` (which must carry its uid): groupToPod's pod with the controller
// reference and the two annotations above. Fails as groupToPod does.
Result<json> desiredPod(const json& object, const GroupObject& group);

enum class PodAction {
  kNone,    // leave the pod (or its absence) as it is
  kCreate,  // create `desired`
  kDelete,  // delete the existing pod; a new one follows once it is gone
};

struct PodDecision {
  PodAction action = PodAction::kNone;
  std::string reason;  // for logs and events: "stopped", "spec changed", "restarted", ...
};

// `pod` is the pod of the group's name in its namespace, if any. Rules, in order:
//   a pod being deleted                         -> none (wait until it is gone)
//   a pod not controlled by this object: another ContainerGroup's (an earlier object of the
//   same name) -> delete; anyone else's -> none (it is left alone, the group stays Pending)
//   Stopped: a pod -> delete; none -> none
//   Running: no pod -> create; a pod made from another pod hash -> delete ("spec changed");
//   restartedAt set, different from the pod's and not before its creation (to the second)
//   -> delete ("restarted"); otherwise none. Finished pods (Succeeded/Failed, restartPolicy
//   Never/OnFailure) are kept: the group shows how they ended, as ACI does.
PodDecision decidePod(const json& object, const GroupObject& group, const json& desired,
                      const std::optional<json>& pod);

// Whether `pod` is the current pod of `object` (controlled by it, not being deleted, and
// `decidePod` keeps it).
bool isCurrentPod(const json& object, const GroupObject& group, const json& desired,
                  const std::optional<json>& pod);

// The status `object` should have. `pod` is its current pod (see isCurrentPod) or nullopt;
// `events` are that pod's events. Cases:
//   the object is being deleted   provisioningState Deleting, the rest kept
//   Stopped                       provisioningState Succeeded, instanceView.state Stopped, the
//                                 containers' last views kept, a Running or Waiting one turned
//                                 Terminated ("Stopped", finishTime now, the old state as
//                                 previousState), no ipAddress/podUid
//   Running with a current pod    statusFromPod + applyStatus: provisioningState, instanceView,
//                                 containers, ipAddress (host IP for Public groups, pod IP
//                                 for Private ones), podUid, startTime
//   Running without one           provisioningState Pending, instanceView.state Pending,
//                                 every container with an empty view
// observedGeneration is always the object's generation.
json groupStatus(const json& object, const GroupObject& group, const std::optional<json>& pod,
                 const std::vector<instances::PodEvent>& events, Clock::WallTime now);

// When a current pod still provisioning (Pending/Creating) turns Failed by ACI's provisioning
// timeout (instances::kProvisioningTimeout after its creation), if it has not yet: the sync
// should run again then.
std::optional<Clock::WallTime> provisioningDeadline(const json& status, const json& pod);

}  // namespace berth::controllers
