#pragma once

// The pure decisions of the ReplicaSet controller (Kubernetes' pkg/controller/replicaset and
// pkg/controller/controller_utils.go): which pods to delete first, slow-start batches, the
// status, the pod made from the template. No I/O; thread-safe.

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"

namespace berth::controllers {

using nlohmann::json;

// At most this many pods are created or deleted in one sync (Kubernetes' BurstReplicas).
inline constexpr int kBurstReplicas = 500;

// Whether pod `a` should be deleted before pod `b` (controller.ActivePodsWithRanks.Less, with
// LogarithmicScaleDown as Kubernetes 1.32 has it on):
//   1. unassigned < assigned;  2. Pending < Unknown < Running;  3. not ready < ready;
//   4. higher rank (more related pods on the same node) < lower rank;
//   5. both ready: ready more recently < ready longer (log2 buckets of the time since);
//   6. more container restarts < fewer;  7. created more recently < older (log2 buckets);
//   ties in a bucket go by uid.
bool deletesBefore(const json& a, int rankA, const json& b, int rankB, Clock::WallTime now);

// The `count` pods of `pods` to delete, best candidates first. Each pod's rank is the number of
// pods of `related` (the active pods of the same owner and, for a Deployment, its other
// ReplicaSets) on its node (getPodsRankedByRelatedPodsOnSameNode).
std::vector<json> podsToDelete(const std::vector<json>& pods, const std::vector<json>& related,
                               size_t count, Clock::WallTime now);

// Kubernetes' slowStartBatch: calls `fn` `count` times in batches of 1, 2, 4, ... (starting at
// `initialBatchSize`), the calls of one batch in parallel; stops after the first batch that
// had a failure. Returns how many calls succeeded; `firstError` gets the first failure.
// Calls that were never made are count - successes - failures.
struct BatchResult {
  int successes = 0;
  int failures = 0;
  std::optional<Error> firstError;
};
BatchResult slowStartBatch(int count, int initialBatchSize, const std::function<Status()>& fn);

// The status a ReplicaSet should have for its active owned pods `pods` (calculateStatus):
// replicas, fullyLabeledReplicas (pods carrying every template label), readyReplicas,
// availableReplicas (ready for minReadySeconds at `now`), observedGeneration, and the
// ReplicaFailure condition: added (reason FailedCreate when `diff` < 0 else FailedDelete) when
// `manageError` is set, removed when the sync succeeded. Other status fields are kept.
json calculateReplicaSetStatus(const json& rs, const std::vector<json>& pods,
                               const std::optional<std::string>& manageError, int diff,
                               Clock::WallTime now);

// Whether two statuses differ in what calculateReplicaSetStatus sets (so a write is needed).
bool replicaSetStatusChanged(const json& oldStatus, const json& newStatus);

// How long until the first pod of `pods` that is ready but not yet available becomes
// available; nullopt when none is waiting.
std::optional<std::chrono::milliseconds> nextAvailableIn(const std::vector<json>& pods,
                                                         int64_t minReadySeconds,
                                                         Clock::WallTime now);

// The pod a ReplicaSet creates (controller.GetPodFromTemplate): generateName "<rs name>-",
// the template's labels, annotations, finalizers and spec, and an ownerReference to `rs`.
json podFromTemplate(const json& rs);

// Whether `pod` carries every label of the template of `rs`.
bool hasTemplateLabels(const json& rs, const json& pod);

}  // namespace berth::controllers
