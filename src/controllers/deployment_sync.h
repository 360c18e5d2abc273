#pragma once

// One sync of a Deployment, as a pure function: from the Deployment, the ReplicaSets it owns,
// their pods and the time, the writes Kubernetes' deployment controller would make (syncDeployment
// with rolloutRolling / rolloutRecreate / sync / cleanupDeployment / syncRolloutStatus) and the
// new status. The DeploymentController executes the plan; tests run it step by step against
// simulated ReplicaSets.
//
//   SyncPlan plan = planSync({.deployment = d, .replicaSets = owned, .now = clock.now()});
//   for (auto& write : plan.writes) ...;   // in order; stop at the first failure
//
// Like the controller it mirrors, a sync makes one step of progress (scale the new ReplicaSet
// up, or old ones down) and relies on the next sync, triggered by the ReplicaSets' status
// changes, for the next step. Thread-safe (no shared state).

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace berth::controllers::deployment {

using nlohmann::json;

struct DeploymentEvent {
  std::string type;  // "Normal" or "Warning"
  std::string reason;
  std::string message;
  bool operator==(const DeploymentEvent&) const = default;
};

struct ReplicaSetWrite {
  enum class Kind { kCreate, kUpdate, kDelete };
  Kind kind = Kind::kUpdate;
  // kCreate: the new ReplicaSet; kUpdate: the whole ReplicaSet as it should be (with the
  // resourceVersion it was read at, a precondition); kDelete: the ReplicaSet to delete.
  json object;
  // Recorded on the Deployment once the write succeeded ("ScalingReplicaSet").
  std::optional<DeploymentEvent> event;
};

struct SyncInput {
  json deployment;
  // The ReplicaSets the Deployment owns (claimed: controller reference with its uid).
  std::vector<json> replicaSets;
  // Their active pods, by ReplicaSet uid (Recreate waits for old pods to be gone).
  std::map<std::string, std::vector<json>> podsByReplicaSet;
  Clock::WallTime now;
};

struct SyncPlan {
  std::vector<ReplicaSetWrite> writes;
  // Events not tied to a write.
  std::vector<DeploymentEvent> events;
  // The Deployment's deployment.kubernetes.io/revision, when it must change.
  std::optional<std::string> revision;
  // The whole new status, when it differs from the stored one.
  std::optional<json> status;
  // When to sync again to check the progress deadline (nullopt: no need).
  std::optional<std::chrono::milliseconds> requeueAfter;
  // The new ReplicaSet's name after the plan ("" when there is none, e.g. paused).
  std::string newReplicaSet;
};

SyncPlan planSync(const SyncInput& input);

// The status Kubernetes' calculateStatus derives from the ReplicaSets (counts, observed
// generation, the Available condition); other conditions are copied from the Deployment.
json calculateStatus(const json& deployment, const std::vector<json>& allReplicaSets,
                     const std::optional<json>& newReplicaSet, Clock::WallTime now);

// NewRSNewReplicas: how many replicas the new ReplicaSet may have now.
int32_t newReplicaSetReplicas(const json& deployment, const std::vector<json>& allReplicaSets,
                              const json& newReplicaSet);

}  // namespace berth::controllers::deployment
