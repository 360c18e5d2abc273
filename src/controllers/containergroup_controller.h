#pragma once

// The ContainerGroup controller: runs each instances.berth.io/v1 ContainerGroup (the internal
// object behind an ARM Microsoft.ContainerInstance/containerGroups resource, see
// containergroup_logic.h) as one pod on the instance pool, and shows the pod's state in the
// object's status.
//
// A sync of "ns/name":
//   - reads the object (a malformed one gets provisioningState Failed and is not retried until
//     it changes);
//   - decides about the pod of the same name (containergroup_logic.h decidePod): creates it
//     from instances::groupToPod, owned by the object so the garbage collector deletes it
//     with the group; deletes it (with the uid as precondition) when the group is stopped,
//     its spec changed the pod, or it was restarted; a replacement is created once the old
//     pod is gone (its delete event brings the key back). A pod deleted underneath (its node
//     gone) is made again while the group is Running. The Namespace and the Secrets the pod
//     refers to are the ARM layer's to create, before the object;
//   - keeps the group's billing interval (containergroup_metering.h): opens one before it
//     creates the pod (and for a running pod that has none), closes it when the pod finished
//     for good (at the latest container finishedAt), when the group is stopped and when the
//     group is gone (on its delete event, and for every open interval found at start);
//   - writes the status (groupStatus: provisioningState, instanceView, containers, ipAddress,
//     podUid, startTime, observedGeneration) through the status subresource when it changed,
//     and comes back when a provisioning group reaches ACI's 30-minute timeout.
// Events "SuccessfulCreate", "FailedCreate", "SuccessfulDelete", "FailedDelete" about the
// object come from "containergroup-controller"; the pod's own events (the agent's Pulling,
// Started, ..., the scheduler's FailedScheduling) become the instanceView events.
//
// Informers (shared, see informer_factory.h): containergroups, pods (only pods labelled
// instances.berth.io/group are looked at) and events (only those about such pods are indexed).
// A failed sync is retried with back-off (5 ms doubling to 1000 s per key).
//
// Thread safety: the handlers run on the informers' threads, syncs on `workers` threads; a key
// is synced by one worker at a time (client::WorkQueue).

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "client/api_client.h"
#include "client/work_queue.h"
#include "controllers/containergroup_metering.h"
#include "controllers/controller.h"
#include "controllers/event_recorder.h"
#include "controllers/informer_factory.h"
#include "controllers/sync_workers.h"
#include "instances/pod_to_status.h"

namespace berth::controllers {

class ContainerGroupController final : public Controller {
 public:
  // Registers its handlers on the containergroups, pods and events informers of `informers`.
  ContainerGroupController(client::ApiClient& client, Clock& clock, InformerFactory& informers,
                           int workers);
  ~ContainerGroupController() override;  // stops

  std::string name() const override { return "containergroup"; }
  void start() override;
  void stop() override;

  // One sync of "ns/name" (tests call it directly). A ContainerGroup that is gone is not an
  // error.
  Status sync(const std::string& key);

 private:
  void onPod(const nlohmann::json& pod);
  void indexEvent(const nlohmann::json* oldEvent, const nlohmann::json* newEvent);
  // The cached events about pod `podKey` with uid `podUid`, oldest first.
  std::vector<instances::PodEvent> podEvents(const std::string& podKey,
                                             const std::string& podUid) const;
  Status writeStatus(const nlohmann::json& object, const nlohmann::json& status);
  // Keeps the billing interval of a group that exists, after the pod decision (`pod`: its
  // current pod or nullopt).
  Status meter(const nlohmann::json& object, const GroupObject& group,
               const std::optional<nlohmann::json>& pod);
  // Closes the open interval of "ns/name" when the group is gone from the server too.
  Status closeIfGone(const std::string& key);
  // Writes provisioningState Failed for an object that cannot be run.
  Status markFailed(const nlohmann::json& object, const std::string& message);

  client::ApiClient& client_;
  Clock& clock_;
  int workerCount_;
  client::Informer& groups_;
  client::Informer& pods_;
  client::Informer& events_;
  EventRecorder recorder_;
  GroupMeter meter_;
  client::WorkQueue queue_;
  mutable std::mutex eventsMu_;
  std::map<std::string, std::set<std::string>> eventsByPod_;  // pod key -> event keys
  SyncWorkers workers_;
  bool started_ = false;
};

}  // namespace berth::controllers
