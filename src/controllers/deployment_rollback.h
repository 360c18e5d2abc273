#pragma once

// Berth's automatic rollback, as a pure decision. A Deployment annotated
// `berth.io/auto-rollback: "true"` whose current rollout fails returns by itself to its last
// good revision, as `kubectl rollout undo` would do it: its spec.template becomes that
// ReplicaSet's template (without the pod-template-hash label), and the Deployment controller
// then re-uses that ReplicaSet under a new revision.
//
// A rollout fails when (a) its Progressing condition is (or would now become)
// ProgressDeadlineExceeded, (b) a pod of the new ReplicaSet crash-loops (a container waiting
// in CrashLoopBackOff, or restarted at least `crashLoopRestarts` times), or (c) a pod of the
// new ReplicaSet has not been Ready for `unreadyTimeout` since it was created (default: the
// Deployment's progressDeadlineSeconds).
//
// The last good revision is the newest other ReplicaSet marked berth.io/rollout-complete (the
// controller marks a ReplicaSet once its rollout completed). There is no rollback away from a
// template that itself once completed a rollout, so a failing rollback target is never rolled
// back again (no loop): it only gets ProgressDeadlineExceeded, as without the annotation.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "controllers/deployment_sync.h"

namespace berth::controllers::deployment {

struct AutoRollbackOptions {
  // Restarts of one container that count as a crash loop.
  int64_t crashLoopRestarts = 3;
  // How long a new pod may stay unready; nullopt: the progress deadline (600 s without one).
  std::optional<std::chrono::seconds> unreadyTimeout;
};

struct RollbackDecision {
  std::string targetReplicaSet;  // the ReplicaSet of the last good revision
  int64_t targetRevision = 0;
  int64_t failedRevision = 0;
  // "ProgressDeadlineExceeded", "CrashLoopBackOff" or "PodsNotReady".
  std::string reason;
  // "rolled back to revision 2: pods of revision 3 crash-looping (web-xyz: CrashLoopBackOff)"
  std::string message;
  // The Deployment as it should be written (spec.template and annotations replaced).
  json deployment;
};

struct RollbackCheck {
  std::optional<RollbackDecision> decision;
  // When a pod of the new ReplicaSet would pass the unready timeout (sync again then).
  std::optional<std::chrono::milliseconds> recheckAfter;
};

// Whether the Deployment asks for automatic rollback.
bool autoRollbackEnabled(const json& deployment);

RollbackCheck checkAutoRollback(const SyncInput& input, const AutoRollbackOptions& options);

// The Deployment with the template (and change-cause and other annotations) of `replicaSet`,
// as `kubectl rollout undo` builds it (Berth's own berth.io/rollout-complete mark excepted).
json rollbackTo(const json& deployment, const json& replicaSet);

}  // namespace berth::controllers::deployment
