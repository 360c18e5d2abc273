#pragma once

// Pod status (+ its events) -> the read-only parts of a container group: each container's
// instanceView, the group's instanceView and provisioningState. Pure functions.
//
// Container instanceView (by container name, init containers included):
//   restartCount  from the container status
//   currentState  running -> {Running, startTime}; waiting -> {Waiting, detailStatus = reason
//                 [": " message]}; terminated -> {Terminated, startTime, finishTime, exitCode,
//                 detailStatus = reason}; absent while the container has no status
//   previousState lastState, same mapping, when set
//   events        the pod's events whose involvedObject.fieldPath names the container
//                 ("spec.containers{web}"), name = reason
// Group instanceView.state: the pod phase (Pending, Running, Succeeded, Failed; Unknown and
// empty read Pending). "Stopped" is the server's to set, not the pod's. Group events are the
// pod's events without a container fieldPath (Scheduled, FailedScheduling, ...).
// provisioningState (reference §1.4, Pending -> Creating -> Succeeded, or Failed):
//   Failed     a container cannot ever start (waiting reason InvalidImageName,
//              ErrImageNeverPull, CreateContainerConfigError), or the pod Failed before any
//              container started, or the group is still Pending/Creating 30 minutes after the
//              pod was created (ACI's provisioning timeout)
//   Succeeded  the pod is Running or Succeeded, or Failed after its containers ran, or every
//              container has started at least once
//   Creating   the pod is bound to a node (spec.nodeName set)
//   Pending    otherwise

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/pod.h"
#include "instances/container_group.h"

namespace berth::instances {

// The part of a core/v1 Event that matters here.
struct PodEvent {
  std::string fieldPath;  // involvedObject.fieldPath, "" for the pod itself
  std::string reason;
  std::string message;
  std::string type;
  int64_t count = 1;
  std::string firstTimestamp;
  std::string lastTimestamp;
  bool operator==(const PodEvent&) const = default;
};

// Reads a core/v1 Event (count 0/absent reads 1; missing timestamps fall back to eventTime).
PodEvent podEventFromJson(const nlohmann::json& event);

struct GroupStatus {
  std::string provisioningState;
  GroupInstanceView instanceView;
  std::map<std::string, ContainerInstanceView> containers;
  std::string podIP;
  std::string hostIP;
  bool operator==(const GroupStatus&) const = default;
};

inline constexpr std::chrono::minutes kProvisioningTimeout{30};

GroupStatus statusFromPod(const api::Pod& pod, const std::vector<PodEvent>& events,
                          std::chrono::system_clock::time_point now);

// Writes `status` into the group's read-only fields: provisioningState, instanceView, each
// container's instanceView, and ipAddress.ip (the host's address for a Public group, whose
// ports are published on the host; the pod's for a Private one).
void applyStatus(ContainerGroup& group, const GroupStatus& status);

}  // namespace berth::instances
