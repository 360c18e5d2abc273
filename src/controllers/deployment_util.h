#pragma once

// Helpers of the Deployment controller on apps/v1 JSON objects, after Kubernetes'
// pkg/controller/deployment/util: rollout fenceposts (maxSurge / maxUnavailable), replica
// counts over ReplicaSets, revisions and their annotations, the pod-template hash, and the
// Deployment conditions. Pure functions, thread-safe.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace berth::controllers::deployment {

using nlohmann::json;

// Annotations and labels Kubernetes (and kubectl) read.
inline constexpr char kRevisionAnnotation[] = "deployment.kubernetes.io/revision";
inline constexpr char kRevisionHistoryAnnotation[] = "deployment.kubernetes.io/revision-history";
inline constexpr char kDesiredReplicasAnnotation[] = "deployment.kubernetes.io/desired-replicas";
inline constexpr char kMaxReplicasAnnotation[] = "deployment.kubernetes.io/max-replicas";
inline constexpr char kChangeCauseAnnotation[] = "kubernetes.io/change-cause";
inline constexpr char kLastAppliedAnnotation[] = "kubectl.kubernetes.io/last-applied-configuration";
inline constexpr char kPodTemplateHashLabel[] = "pod-template-hash";
// Berth's automatic rollback: opt-in on the Deployment, and the mark the controller puts on a
// ReplicaSet whose template once completed a rollout (all replicas updated and available).
inline constexpr char kAutoRollbackAnnotation[] = "berth.io/auto-rollback";
inline constexpr char kRolloutCompleteAnnotation[] = "berth.io/rollout-complete";

// Condition types and reasons (pkg/controller/deployment/util).
inline constexpr char kConditionAvailable[] = "Available";
inline constexpr char kConditionProgressing[] = "Progressing";
inline constexpr char kConditionReplicaFailure[] = "ReplicaFailure";
inline constexpr char kConditionRolledBack[] = "berth.io/RolledBack";
inline constexpr char kReasonNewRSCreated[] = "NewReplicaSetCreated";
inline constexpr char kReasonFoundNewRS[] = "FoundNewReplicaSet";
inline constexpr char kReasonRSUpdated[] = "ReplicaSetUpdated";
inline constexpr char kReasonNewRSAvailable[] = "NewReplicaSetAvailable";
inline constexpr char kReasonTimedOut[] = "ProgressDeadlineExceeded";
inline constexpr char kReasonPaused[] = "DeploymentPaused";
inline constexpr char kReasonResumed[] = "DeploymentResumed";
inline constexpr char kReasonFailedRSCreate[] = "ReplicaSetCreateError";
inline constexpr char kReasonMinimumAvailable[] = "MinimumReplicasAvailable";
inline constexpr char kReasonMinimumUnavailable[] = "MinimumReplicasUnavailable";

// --- spec and status fields ---

// spec.replicas (1 when absent, the API default).
int32_t specReplicas(const json& object);
// status.<field> as an integer (0 when absent).
int32_t statusCount(const json& object, const char* field);
bool isPaused(const json& deployment);
bool isRollingUpdate(const json& deployment);  // strategy.type absent or "RollingUpdate"
int32_t minReadySeconds(const json& deployment);
// spec.progressDeadlineSeconds, unless absent or MaxInt32 (Kubernetes' "no deadline").
std::optional<int32_t> progressDeadline(const json& deployment);
// spec.revisionHistoryLimit (nullopt when absent: keep all).
std::optional<int32_t> revisionHistoryLimit(const json& deployment);
// metadata.annotations[key] ("" when absent).
std::string annotation(const json& object, const std::string& key);
bool hasAnnotation(const json& object, const std::string& key);

// --- rollout arithmetic ---

// An IntOrString of a count or a percent of `total` ("25%"); percents round up or down. A
// malformed value counts as 0 (validation rejects it before it is stored).
int32_t scaledValue(const json& intOrPercent, int32_t total, bool roundUp);

struct Fenceposts {
  int32_t maxSurge = 0;
  int32_t maxUnavailable = 0;
};
// ResolveFenceposts: surge rounds up, unavailable rounds down; both 0 gives unavailable 1.
// Absent values default to 25%.
Fenceposts resolveFenceposts(const json& maxSurge, const json& maxUnavailable, int32_t desired);
// The Deployment's effective maxSurge (0 for Recreate) and maxUnavailable (0 for Recreate or
// 0 replicas; at most spec.replicas).
int32_t maxSurge(const json& deployment);
int32_t maxUnavailable(const json& deployment);

// Sums over ReplicaSets: spec.replicas, status.replicas, readyReplicas, availableReplicas.
int32_t specReplicaSum(const std::vector<json>& replicaSets);
int32_t statusReplicaSum(const std::vector<json>& replicaSets);
int32_t readyReplicaSum(const std::vector<json>& replicaSets);
int32_t availableReplicaSum(const std::vector<json>& replicaSets);
// ReplicaSets with spec.replicas > 0.
std::vector<json> activeReplicaSets(const std::vector<json>& replicaSets);

// --- templates and revisions ---

// ComputeHash: FNV-32a over the template's canonical JSON (and the collision count), rendered
// as Kubernetes' rand.SafeEncodeString of the decimal hash ("5d9c7b8f4c"-like).
std::string computeHash(const json& podTemplate, std::optional<int32_t> collisionCount);
// Whether two pod templates are equal once the pod-template-hash label is removed from both.
bool equalIgnoreHash(const json& a, const json& b);
// The template with the pod-template-hash label removed (what `rollout undo` restores).
json templateWithoutHash(const json& podTemplate);
// deployment.kubernetes.io/revision as a number (0 when absent or malformed).
int64_t revisionOf(const json& object);
int64_t maxRevision(const std::vector<json>& replicaSets);

// Sorting (stable, as Kubernetes' sort types): creation time then name, oldest first.
void sortByCreation(std::vector<json>& replicaSets);
// Revision then creation, oldest first.
void sortByRevision(std::vector<json>& replicaSets);

// FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's.
std::optional<json> findNewReplicaSet(const json& deployment, std::vector<json> replicaSets);

// Copies the Deployment's annotations to `rs` (except the skipped ones: last-applied,
// revision, revision-history, desired/max replicas, berth.io/rollout-complete) and raises the
// revision to `newRevision` when lower, keeping the previous one in revision-history (a rollback).
// With `created`, sets desired/max replicas too. Returns whether anything changed.
bool setNewReplicaSetAnnotations(const json& deployment, json& rs, int64_t newRevision,
                                 bool created);
// Sets desired-replicas and max-replicas; returns whether they changed.
bool setReplicasAnnotations(json& rs, int32_t desired, int32_t max);
bool replicasAnnotationsNeedUpdate(const json& rs, int32_t desired, int32_t max);
std::optional<int32_t> intAnnotation(const json& rs, const std::string& key);

// --- conditions ---

std::optional<json> getCondition(const json& status, const std::string& type);
json newCondition(const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, Clock::WallTime now);
// SetDeploymentCondition: no change when status and reason are the same; keeps
// lastTransitionTime when only the reason changes.
void setCondition(json& status, const json& condition);
void removeCondition(json& status, const std::string& type);

// DeploymentComplete: every replica updated and available and the spec observed.
bool deploymentComplete(const json& deployment, const json& status);
// DeploymentProgressing: more updated, ready or available replicas, or fewer old ones.
bool deploymentProgressing(const json& deployment, const json& newStatus);
// DeploymentTimedOut: the Progressing condition has not been updated for the deadline.
bool deploymentTimedOut(const json& deployment, const json& newStatus, Clock::WallTime now);

}  // namespace berth::controllers::deployment
