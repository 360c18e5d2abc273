#include "controllers/deployment_rollback.h"

#include <fmt/format.h>

#include "controllers/controller_utils.h"
#include "controllers/deployment_util.h"

namespace berth::controllers::deployment {

namespace {

using Milliseconds = std::chrono::milliseconds;

constexpr int32_t kDefaultProgressDeadline = 600;

// What is wrong with one pod of the new ReplicaSet, "" when nothing (yet).
std::string crashLoop(const json& pod, int64_t restartsLimit) {
  if (!pod.contains("status") || !pod["status"].is_object()) {
    return "";
  }
  for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
    const json& statuses = pod["status"].value(list, json::array());
    if (!statuses.is_array()) {
      continue;
    }
    for (const auto& cs : statuses) {
      if (!cs.is_object()) {
        continue;
      }
      auto state = cs.find("state");
      if (state != cs.end() && state->is_object() && state->contains("waiting") &&
          (*state)["waiting"].is_object() &&
          (*state)["waiting"].value("reason", "") == "CrashLoopBackOff") {
        return "CrashLoopBackOff";
      }
      int64_t restarts = cs.value("restartCount", int64_t{0});
      if (restarts >= restartsLimit) {
        return fmt::format("{} restarts", restarts);
      }
    }
  }
  return "";
}

}  // namespace

bool autoRollbackEnabled(const json& deployment) {
  return annotation(deployment, kAutoRollbackAnnotation) == "true";
}

json rollbackTo(const json& deployment, const json& replicaSet) {
  json d = deployment;
  d["spec"]["template"] = templateWithoutHash(replicaSet["spec"].value("template", json()));
  json& annotations = d["metadata"]["annotations"];
  if (!annotations.is_object()) {
    annotations = json::object();
  }
  const json& from = replicaSet["metadata"].value("annotations", json::object());
  for (const auto& [key, value] : from.items()) {
    if (key == kRevisionAnnotation || key == kRevisionHistoryAnnotation ||
        key == kDesiredReplicasAnnotation || key == kMaxReplicasAnnotation ||
        key == kLastAppliedAnnotation || key == kRolloutCompleteAnnotation) {
      continue;
    }
    annotations[key] = value;
  }
  return d;
}

RollbackCheck checkAutoRollback(const SyncInput& input, const AutoRollbackOptions& options) {
  RollbackCheck check;
  const json& d = input.deployment;
  if (!autoRollbackEnabled(d) || isPaused(d) || isDeleting(d)) {
    return check;
  }
  auto newRS = findNewReplicaSet(d, input.replicaSets);
  if (!newRS || hasAnnotation(*newRS, kRolloutCompleteAnnotation)) {
    return check;  // nothing rolled out yet, or a known-good template: never leave it
  }
  std::optional<json> target;
  for (const auto& rs : input.replicaSets) {
    if (metaString(rs, "name") == metaString(*newRS, "name") ||
        !hasAnnotation(rs, kRolloutCompleteAnnotation) || isDeleting(rs)) {
      continue;
    }
    if (!target || revisionOf(rs) > revisionOf(*target)) {
      target = rs;
    }
  }
  if (!target) {
    return check;
  }
  int64_t failed = revisionOf(*newRS);
  std::string why;
  std::string reason;
  // (b) crash loops, (c) pods unready for too long.
  auto pods = input.podsByReplicaSet.find(metaString(*newRS, "uid"));
  if (pods != input.podsByReplicaSet.end()) {
    auto timeout = options.unreadyTimeout.value_or(
        std::chrono::seconds(progressDeadline(d).value_or(kDefaultProgressDeadline)));
    for (const auto& pod : pods->second) {
      if (!isPodActive(pod)) {
        continue;
      }
      std::string name = metaString(pod, "name");
      if (std::string problem = crashLoop(pod, options.crashLoopRestarts); !problem.empty()) {
        why = fmt::format("pods of revision {} crash-looping ({}: {})", failed, name, problem);
        reason = "CrashLoopBackOff";
        break;
      }
      if (isPodReady(pod)) {
        continue;
      }
      auto created = parseTimestamp(pod["metadata"].value("creationTimestamp", json()));
      if (!created) {
        continue;
      }
      auto left = std::chrono::duration_cast<Milliseconds>(*created + timeout - input.now);
      if (left < Milliseconds(0) && reason.empty()) {
        why = fmt::format("pods of revision {} not ready after {}s ({})", failed, timeout.count(),
                          name);
        reason = "PodsNotReady";
      } else if (left >= Milliseconds(0)) {
        auto after = left + Milliseconds(1000);
        check.recheckAfter = check.recheckAfter ? std::min(*check.recheckAfter, after) : after;
      }
    }
  }
  // (a) the progress deadline (a condition already set, or one this sync would set).
  if (reason.empty()) {
    json status = d.value("status", json::object());
    auto progressing = getCondition(status, kConditionProgressing);
    if (progressing && progressing->value("reason", "") != kReasonNewRSAvailable &&
        deploymentTimedOut(d, status, input.now)) {
      why = fmt::format("revision {} exceeded its progress deadline", failed);
      reason = kReasonTimedOut;
    }
  }
  if (reason.empty()) {
    return check;
  }
  check.recheckAfter.reset();
  RollbackDecision decision;
  decision.targetReplicaSet = metaString(*target, "name");
  decision.targetRevision = revisionOf(*target);
  decision.failedRevision = failed;
  decision.reason = reason;
  decision.message = fmt::format("rolled back to revision {}: {}", decision.targetRevision, why);
  decision.deployment = rollbackTo(d, *target);
  check.decision = std::move(decision);
  return check;
}

}  // namespace berth::controllers::deployment
