#include "controllers/deployment_sync.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "controllers/controller_utils.h"
#include "controllers/deployment_util.h"

namespace berth::controllers::deployment {

namespace {

using Milliseconds = std::chrono::milliseconds;

std::string uidOf(const json& object) {
  return metaString(object, "uid");
}

std::string nameOf(const json& object) {
  return metaString(object, "name");
}

// Sets a count in a status the way Go's omitempty writes it: zero is absent.
void putCount(json& status, const char* key, int64_t value) {
  if (value != 0) {
    status[key] = value;
  } else {
    status.erase(key);
  }
}

// Works through one sync on copies of the objects, recording every write in the plan.
class Planner {
 public:
  explicit Planner(const SyncInput& input)
      : d_(input.deployment),
        rss_(input.replicaSets),
        pods_(input.podsByReplicaSet),
        now_(input.now) {
    for (const char* section : {"metadata", "spec", "status"}) {
      if (!d_.contains(section) || !d_[section].is_object()) {
        d_[section] = json::object();
      }
    }
    stored_ = d_["status"];
    if (!d_.contains("apiVersion")) {
      d_["apiVersion"] = "apps/v1";
    }
    if (!d_.contains("kind")) {
      d_["kind"] = "Deployment";
    }
  }

  SyncPlan run();

 private:
  // --- ReplicaSets ---
  std::optional<size_t> indexOf(const std::string& name) const {
    for (size_t i = 0; i < rss_.size(); ++i) {
      if (nameOf(rss_[i]) == name) {
        return i;
      }
    }
    return std::nullopt;
  }
  std::vector<json> allExcept(const std::string& name) const {
    std::vector<json> out;
    for (const auto& rs : rss_) {
      if (nameOf(rs) != name) {
        out.push_back(rs);
      }
    }
    return out;
  }
  std::optional<json> newRS() const {
    if (newName_.empty()) {
      return std::nullopt;
    }
    auto i = indexOf(newName_);
    return i ? std::optional<json>(rss_[*i]) : std::nullopt;
  }
  std::vector<json> oldRSs() const { return allExcept(newName_); }
  std::vector<json> allRSs() const { return rss_; }

  void update(json rs, std::optional<DeploymentEvent> event = std::nullopt) {
    if (auto i = indexOf(nameOf(rs))) {
      rss_[*i] = rs;
    }
    plan_.writes.push_back({ReplicaSetWrite::Kind::kUpdate, std::move(rs), std::move(event)});
  }

  void findNewAndSyncRevision(bool createIfMissing);
  void createNewReplicaSet();
  void setDeploymentRevision(const std::string& revision) {
    if (annotation(d_, kRevisionAnnotation) != revision) {
      d_["metadata"]["annotations"][kRevisionAnnotation] = revision;
      plan_.revision = revision;
    }
  }

  // Scales `name` to `newScale`, also refreshing its replicas annotations; true when its
  // size changed.
  bool scaleReplicaSet(const std::string& name, int32_t newScale, const std::string& operation);
  bool scaleAndRecordEvent(const std::string& name, int32_t newScale) {
    auto i = indexOf(name);
    if (!i || specReplicas(rss_[*i]) == newScale) {
      return false;
    }
    return scaleReplicaSet(name, newScale, newScale > specReplicas(rss_[*i]) ? "up" : "down");
  }

  // --- strategies ---
  void sync();  // paused or a scaling event
  void scale();
  void rolloutRolling();
  bool reconcileNewReplicaSet();
  bool reconcileOldReplicaSets();
  int32_t cleanupUnhealthyReplicas(std::vector<json> oldRSs, int32_t maxCleanupCount);
  int32_t scaleDownOldReplicaSetsForRollingUpdate();
  void rolloutRecreate();
  bool oldPodsRunning() const;
  void cleanupDeployment();
  bool isScalingEvent();
  void checkPausedConditions();

  // --- status ---
  void syncDeploymentStatus();
  void syncRolloutStatus();
  void finishStatus(json status);
  void markRolloutComplete(const json& status);

  json d_;
  json stored_;  // the status as stored
  std::vector<json> rss_;
  const std::map<std::string, std::vector<json>>& pods_;
  Clock::WallTime now_;
  std::string newName_;
  SyncPlan plan_;
};

void Planner::findNewAndSyncRevision(bool createIfMissing) {
  auto found = findNewReplicaSet(d_, rss_);
  int64_t maxOld = maxRevision(allExcept(found ? nameOf(*found) : ""));
  int64_t newRevision = maxOld + 1;
  if (!found) {
    newName_.clear();
    if (createIfMissing) {
      createNewReplicaSet();
    }
    return;
  }
  newName_ = nameOf(*found);
  json rs = *found;
  bool changed = setNewReplicaSetAnnotations(d_, rs, newRevision, false);
  if (rs["spec"].value("minReadySeconds", 0) != minReadySeconds(d_)) {
    rs["spec"]["minReadySeconds"] = minReadySeconds(d_);
    changed = true;
  }
  if (changed) {
    update(rs);
  }
  setDeploymentRevision(annotation(rs, kRevisionAnnotation));
  json& status = d_["status"];
  if (progressDeadline(d_) && !getCondition(status, kConditionProgressing)) {
    setCondition(status, newCondition(kConditionProgressing, "True", kReasonFoundNewRS,
                                      fmt::format("Found new replica set \"{}\"", newName_), now_));
  }
}

void Planner::createNewReplicaSet() {
  std::optional<int32_t> collisions;
  if (d_["status"].contains("collisionCount") && d_["status"]["collisionCount"].is_number()) {
    collisions = d_["status"]["collisionCount"].get<int32_t>();
  }
  json podTemplate = d_["spec"].value("template", json::object());
  std::string hash = computeHash(podTemplate, collisions);
  podTemplate["metadata"]["labels"][kPodTemplateHashLabel] = hash;
  json selector = d_["spec"].value("selector", json::object());
  selector["matchLabels"][kPodTemplateHashLabel] = hash;
  std::string ns = metaString(d_, "namespace");
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata",
              {{"name", nameOf(d_) + "-" + hash},
               {"namespace", ns},
               {"labels", podTemplate["metadata"]["labels"]},
               {"ownerReferences", json::array({newControllerRef(d_, "apps/v1", "Deployment")})}}},
             {"spec",
              {{"replicas", 0},
               {"minReadySeconds", minReadySeconds(d_)},
               {"selector", selector},
               {"template", podTemplate}}}};
  std::vector<json> all = rss_;
  all.push_back(rs);
  int32_t replicas = newReplicaSetReplicas(d_, all, rs);
  rs["spec"]["replicas"] = replicas;
  int64_t newRevision = maxRevision(rss_) + 1;
  setNewReplicaSetAnnotations(d_, rs, newRevision, true);
  newName_ = nameOf(rs);

  std::optional<DeploymentEvent> event;
  if (replicas > 0) {
    event =
        DeploymentEvent{"Normal", "ScalingReplicaSet",
                        fmt::format("Scaled up replica set {} to {} from 0", newName_, replicas)};
  }
  plan_.writes.push_back({ReplicaSetWrite::Kind::kCreate, rs, std::move(event)});
  // In memory it is the newest ReplicaSet.
  rs["metadata"]["creationTimestamp"] = rfc3339(now_);
  rss_.push_back(std::move(rs));

  setDeploymentRevision(std::to_string(newRevision));
  json& status = d_["status"];
  if (progressDeadline(d_)) {
    setCondition(status,
                 newCondition(kConditionProgressing, "True", kReasonNewRSCreated,
                              fmt::format("Created new replica set \"{}\"", newName_), now_));
  }
  // A new rollout: a former automatic rollback is history.
  removeCondition(status, kConditionRolledBack);
}

bool Planner::scaleReplicaSet(const std::string& name, int32_t newScale,
                              const std::string& operation) {
  auto i = indexOf(name);
  if (!i) {
    return false;
  }
  json rs = rss_[*i];
  int32_t oldScale = specReplicas(rs);
  int32_t desired = specReplicas(d_);
  int32_t max = desired + maxSurge(d_);
  bool sizeNeedsUpdate = oldScale != newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) {
    return false;
  }
  rs["spec"]["replicas"] = newScale;
  setReplicasAnnotations(rs, desired, max);
  std::optional<DeploymentEvent> event;
  if (sizeNeedsUpdate) {
    event = DeploymentEvent{
        "Normal", "ScalingReplicaSet",
        fmt::format("Scaled {} replica set {} to {} from {}", operation, name, newScale, oldScale)};
  }
  update(std::move(rs), std::move(event));
  return sizeNeedsUpdate;
}

// Kubernetes' getReplicaSetFraction/GetProportion.
int32_t proportion(const json& rs, const json& d, int32_t toAdd, int32_t added) {
  if (specReplicas(rs) == 0 || toAdd == 0 || toAdd == added) {
    return 0;
  }
  int32_t fraction = 0;
  if (specReplicas(d) == 0) {
    fraction = -specReplicas(rs);
  } else {
    int32_t maxReplicas = specReplicas(d) + maxSurge(d);
    auto before = intAnnotation(rs, kMaxReplicasAnnotation);
    int32_t maxBefore = before.value_or(0);
    if (maxBefore == 0) {
      maxBefore = statusCount(d, "replicas");
    }
    if (maxBefore != 0) {
      double size = static_cast<double>(specReplicas(rs)) * maxReplicas / maxBefore;
      fraction = static_cast<int32_t>(std::lround(size)) - specReplicas(rs);
    }
  }
  int32_t allowed = toAdd - added;
  return toAdd > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

void Planner::scale() {
  int32_t replicas = specReplicas(d_);
  // FindActiveOrLatest: with one active ReplicaSet (or none) it takes the whole scale.
  std::vector<json> old = oldRSs();
  sortByCreation(old);
  std::reverse(old.begin(), old.end());
  auto current = newRS();
  std::vector<json> all = old;
  if (current) {
    all.push_back(*current);
  }
  std::vector<json> active = activeReplicaSets(all);
  std::optional<json> activeOrLatest;
  if (active.size() == 1) {
    activeOrLatest = active[0];
  } else if (active.empty() && (current || !old.empty())) {
    activeOrLatest = current ? *current : old[0];
  }
  if (activeOrLatest) {
    if (specReplicas(*activeOrLatest) != replicas) {
      scaleAndRecordEvent(nameOf(*activeOrLatest), replicas);
    }
    return;
  }
  // IsSaturated: the new ReplicaSet is complete; old ones go to zero.
  if (current && specReplicas(*current) == replicas &&
      intAnnotation(*current, kDesiredReplicasAnnotation) == replicas &&
      statusCount(*current, "availableReplicas") == replicas) {
    for (const auto& rs : activeReplicaSets(oldRSs())) {
      scaleAndRecordEvent(nameOf(rs), 0);
    }
    return;
  }
  if (!isRollingUpdate(d_)) {
    return;
  }
  // Proportional scaling of every active ReplicaSet.
  int32_t allowed = replicas > 0 ? replicas + maxSurge(d_) : 0;
  int32_t toAdd = allowed - specReplicaSum(active);
  std::string operation;
  if (toAdd > 0) {
    // Larger first; among equals the newer first.
    sortByCreation(active);
    std::reverse(active.begin(), active.end());
    std::stable_sort(active.begin(), active.end(), [](const json& a, const json& b) {
      return specReplicas(a) > specReplicas(b);
    });
    operation = "up";
  } else if (toAdd < 0) {
    // Larger first; among equals the older first.
    sortByCreation(active);
    std::stable_sort(active.begin(), active.end(), [](const json& a, const json& b) {
      return specReplicas(a) > specReplicas(b);
    });
    operation = "down";
  }
  int32_t added = 0;
  std::map<std::string, int32_t> sizes;
  for (const auto& rs : active) {
    int32_t p = toAdd != 0 ? proportion(rs, d_, toAdd, added) : 0;
    sizes[nameOf(rs)] = specReplicas(rs) + p;
    added += p;
  }
  for (size_t i = 0; i < active.size(); ++i) {
    std::string name = nameOf(active[i]);
    if (i == 0 && toAdd != 0) {
      sizes[name] = std::max(0, sizes[name] + toAdd - added);
    }
    scaleReplicaSet(name, sizes[name], operation);
  }
}

void Planner::sync() {
  findNewAndSyncRevision(false);
  scale();
  cleanupDeployment();
  syncDeploymentStatus();
}

bool Planner::isScalingEvent() {
  findNewAndSyncRevision(false);
  if (newName_.empty()) {
    return false;
  }
  for (const auto& rs : activeReplicaSets(rss_)) {
    auto desired = intAnnotation(rs, kDesiredReplicasAnnotation);
    if (desired && *desired != specReplicas(d_)) {
      return true;
    }
  }
  return false;
}

void Planner::checkPausedConditions() {
  if (!progressDeadline(d_)) {
    return;
  }
  json& status = d_["status"];
  auto cond = getCondition(status, kConditionProgressing);
  if (cond && cond->value("reason", "") == kReasonTimedOut) {
    return;
  }
  bool pausedCondition = cond && cond->value("reason", "") == kReasonPaused;
  if (isPaused(d_) && !pausedCondition) {
    setCondition(status, newCondition(kConditionProgressing, "Unknown", kReasonPaused,
                                      "Deployment is paused", now_));
  } else if (!isPaused(d_) && pausedCondition) {
    setCondition(status, newCondition(kConditionProgressing, "Unknown", kReasonResumed,
                                      "Deployment is resumed", now_));
  }
}

void Planner::rolloutRolling() {
  findNewAndSyncRevision(true);
  if (reconcileNewReplicaSet() || reconcileOldReplicaSets()) {
    syncRolloutStatus();
    return;
  }
  if (deploymentComplete(d_, stored_)) {
    cleanupDeployment();
  }
  syncRolloutStatus();
}

bool Planner::reconcileNewReplicaSet() {
  auto rs = newRS();
  if (!rs) {
    return false;
  }
  int32_t replicas = specReplicas(d_);
  if (specReplicas(*rs) == replicas) {
    return false;
  }
  if (specReplicas(*rs) > replicas) {
    return scaleAndRecordEvent(newName_, replicas);
  }
  return scaleAndRecordEvent(newName_, newReplicaSetReplicas(d_, rss_, *rs));
}

bool Planner::reconcileOldReplicaSets() {
  std::vector<json> old = activeReplicaSets(oldRSs());
  if (specReplicaSum(old) == 0) {
    return false;
  }
  auto rs = newRS();
  int32_t newUnavailable = rs ? specReplicas(*rs) - statusCount(*rs, "availableReplicas") : 0;
  int32_t minAvailable = specReplicas(d_) - maxUnavailable(d_);
  int32_t maxScaledDown = specReplicaSum(rss_) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) {
    return false;
  }
  // Unhealthy replicas of old ReplicaSets go first: removing them costs no availability.
  int32_t cleaned = cleanupUnhealthyReplicas(old, maxScaledDown);
  int32_t scaledDown = scaleDownOldReplicaSetsForRollingUpdate();
  return cleaned + scaledDown > 0;
}

int32_t Planner::cleanupUnhealthyReplicas(std::vector<json> oldRSs, int32_t maxCleanupCount) {
  sortByCreation(oldRSs);
  int32_t total = 0;
  for (const auto& rs : oldRSs) {
    if (total >= maxCleanupCount) {
      break;
    }
    int32_t replicas = specReplicas(rs);
    int32_t available = statusCount(rs, "availableReplicas");
    if (replicas == 0 || replicas == available) {
      continue;
    }
    int32_t down = std::min(maxCleanupCount - total, replicas - available);
    scaleAndRecordEvent(nameOf(rs), replicas - down);
    total += down;
  }
  return total;
}

int32_t Planner::scaleDownOldReplicaSetsForRollingUpdate() {
  int32_t minAvailable = specReplicas(d_) - maxUnavailable(d_);
  int32_t available = availableReplicaSum(rss_);
  if (available <= minAvailable) {
    return 0;
  }
  std::vector<json> old = oldRSs();
  sortByCreation(old);
  int32_t total = 0;
  int32_t target = available - minAvailable;
  for (const auto& stale : old) {
    if (total >= target) {
      break;
    }
    // Re-read: cleanupUnhealthyReplicas may have scaled it already.
    json rs = rss_[*indexOf(nameOf(stale))];
    if (specReplicas(rs) == 0) {
      continue;
    }
    int32_t down = std::min(specReplicas(rs), target - total);
    scaleAndRecordEvent(nameOf(rs), specReplicas(rs) - down);
    total += down;
  }
  return total;
}

bool Planner::oldPodsRunning() const {
  if (statusReplicaSum(oldRSs()) > 0) {
    return true;
  }
  auto current = newRS();
  std::string newUid = current ? uidOf(*current) : "";
  for (const auto& rs : rss_) {
    std::string uid = uidOf(rs);
    if (uid.empty() || uid == newUid) {
      continue;
    }
    auto it = pods_.find(uid);
    if (it == pods_.end()) {
      continue;
    }
    for (const auto& pod : it->second) {
      std::string phase = podPhase(pod);
      if (phase != "Failed" && phase != "Succeeded") {
        return true;
      }
    }
  }
  return false;
}

void Planner::rolloutRecreate() {
  findNewAndSyncRevision(false);
  bool scaledDown = false;
  for (const auto& rs : activeReplicaSets(oldRSs())) {
    scaledDown = scaleAndRecordEvent(nameOf(rs), 0) || scaledDown;
  }
  if (scaledDown || oldPodsRunning()) {
    syncRolloutStatus();
    return;
  }
  if (newName_.empty()) {
    findNewAndSyncRevision(true);
  }
  if (auto rs = newRS(); rs && specReplicas(*rs) != specReplicas(d_)) {
    scaleAndRecordEvent(newName_, specReplicas(d_));
  }
  if (deploymentComplete(d_, stored_)) {
    cleanupDeployment();
  }
  syncRolloutStatus();
}

void Planner::cleanupDeployment() {
  auto limit = revisionHistoryLimit(d_);
  if (!limit) {
    return;
  }
  std::vector<json> cleanable;
  for (const auto& rs : oldRSs()) {
    if (!isDeleting(rs)) {
      cleanable.push_back(rs);
    }
  }
  int64_t diff = static_cast<int64_t>(cleanable.size()) - *limit;
  if (diff <= 0) {
    return;
  }
  sortByRevision(cleanable);
  for (int64_t i = 0; i < diff; ++i) {
    const json& rs = cleanable[i];
    int64_t generation = rs["metadata"].value("generation", int64_t{0});
    int64_t observed = rs.contains("status") && rs["status"].is_object()
                           ? rs["status"].value("observedGeneration", int64_t{0})
                           : 0;
    if (statusCount(rs, "replicas") != 0 || specReplicas(rs) != 0 || generation > observed) {
      continue;
    }
    plan_.writes.push_back({ReplicaSetWrite::Kind::kDelete, rs, std::nullopt});
  }
}

void Planner::syncDeploymentStatus() {
  finishStatus(calculateStatus(d_, rss_, newRS(), now_));
}

void Planner::syncRolloutStatus() {
  auto current = newRS();
  json status = calculateStatus(d_, rss_, current, now_);
  auto deadline = progressDeadline(d_);
  if (!deadline) {
    removeCondition(status, kConditionProgressing);
  }
  auto cond = getCondition(d_["status"], kConditionProgressing);
  bool complete = status.value("replicas", 0) == status.value("updatedReplicas", 0) && cond &&
                  cond->value("reason", "") == kReasonNewRSAvailable;
  if (deadline && !complete) {
    std::string subject = current ? fmt::format("ReplicaSet \"{}\"", newName_)
                                  : fmt::format("Deployment \"{}\"", nameOf(d_));
    if (deploymentComplete(d_, status)) {
      setCondition(status,
                   newCondition(kConditionProgressing, "True", kReasonNewRSAvailable,
                                fmt::format("{} has successfully progressed.", subject), now_));
    } else if (deploymentProgressing(d_, status)) {
      json condition = newCondition(kConditionProgressing, "True", kReasonRSUpdated,
                                    fmt::format("{} is progressing.", subject), now_);
      if (cond) {
        if (cond->value("status", "") == "True" && cond->contains("lastTransitionTime")) {
          condition["lastTransitionTime"] = (*cond)["lastTransitionTime"];
        }
        removeCondition(status, kConditionProgressing);
      }
      setCondition(status, condition);
    } else if (deploymentTimedOut(d_, status, now_)) {
      setCondition(status,
                   newCondition(kConditionProgressing, "False", kReasonTimedOut,
                                fmt::format("{} has timed out progressing.", subject), now_));
    }
  }
  // Progress-deadline check: sync again when the deadline would pass without progress.
  auto progressing = getCondition(status, kConditionProgressing);
  if (deadline && progressing && !deploymentComplete(d_, status) &&
      progressing->value("reason", "") != kReasonTimedOut &&
      progressing->value("reason", "") != kReasonNewRSAvailable) {
    if (auto updated = parseTimestamp(progressing->value("lastUpdateTime", json()))) {
      auto after = std::chrono::duration_cast<Milliseconds>(*updated +
                                                            std::chrono::seconds(*deadline) - now_);
      plan_.requeueAfter = std::max(after, Milliseconds(0)) + std::chrono::seconds(1);
    }
  }
  finishStatus(std::move(status));
}

void Planner::finishStatus(json status) {
  markRolloutComplete(status);
  if (status != stored_) {
    plan_.status = std::move(status);
  }
}

// Berth: a ReplicaSet whose rollout completed is a known-good revision for automatic
// rollback.
void Planner::markRolloutComplete(const json& status) {
  auto rs = newRS();
  if (!rs || hasAnnotation(*rs, kRolloutCompleteAnnotation) || !deploymentComplete(d_, status)) {
    return;
  }
  json marked = *rs;
  marked["metadata"]["annotations"][kRolloutCompleteAnnotation] = "true";
  update(std::move(marked));
}

SyncPlan Planner::run() {
  const json& selector = d_["spec"].value("selector", json());
  if (selector.is_object() && selector.value("matchLabels", json::object()).empty() &&
      selector.value("matchExpressions", json::array()).empty()) {
    plan_.events.push_back({"Warning", "SelectingAll",
                            "This deployment is selecting all pods. A non-empty selector is "
                            "required."});
    json status = stored_;
    int64_t generation = d_["metadata"].value("generation", int64_t{0});
    if (status.value("observedGeneration", int64_t{0}) < generation) {
      status["observedGeneration"] = generation;
      plan_.status = status;
    }
    return std::move(plan_);
  }
  if (isDeleting(d_)) {
    findNewAndSyncRevision(false);
    plan_.writes.clear();  // status only
    plan_.revision.reset();
    syncDeploymentStatus();
  } else {
    checkPausedConditions();
    if (isPaused(d_) || isScalingEvent()) {
      sync();
    } else if (isRollingUpdate(d_)) {
      rolloutRolling();
    } else {
      rolloutRecreate();
    }
  }
  plan_.newReplicaSet = newName_;
  return std::move(plan_);
}

}  // namespace

json calculateStatus(const json& deployment, const std::vector<json>& allReplicaSets,
                     const std::optional<json>& newReplicaSet, Clock::WallTime now) {
  int32_t available = availableReplicaSum(allReplicaSets);
  int32_t total = specReplicaSum(allReplicaSets);
  json status = json::object();
  putCount(status, "observedGeneration", deployment["metadata"].value("generation", int64_t{0}));
  putCount(status, "replicas", statusReplicaSum(allReplicaSets));
  putCount(status, "updatedReplicas", newReplicaSet ? statusCount(*newReplicaSet, "replicas") : 0);
  putCount(status, "readyReplicas", readyReplicaSum(allReplicaSets));
  putCount(status, "availableReplicas", available);
  putCount(status, "unavailableReplicas", std::max(0, total - available));
  const json& old = deployment.contains("status") ? deployment["status"] : json::object();
  if (old.is_object() && old.contains("collisionCount")) {
    status["collisionCount"] = old["collisionCount"];
  }
  if (old.is_object() && old.contains("conditions") && old["conditions"].is_array()) {
    status["conditions"] = old["conditions"];
  }
  if (available >= specReplicas(deployment) - maxUnavailable(deployment)) {
    setCondition(status, newCondition(kConditionAvailable, "True", kReasonMinimumAvailable,
                                      "Deployment has minimum availability.", now));
  } else {
    setCondition(status, newCondition(kConditionAvailable, "False", kReasonMinimumUnavailable,
                                      "Deployment does not have minimum availability.", now));
  }
  return status;
}

int32_t newReplicaSetReplicas(const json& deployment, const std::vector<json>& allReplicaSets,
                              const json& newReplicaSet) {
  if (!isRollingUpdate(deployment)) {
    return specReplicas(deployment);
  }
  int32_t replicas = specReplicas(deployment);
  int32_t current = specReplicaSum(allReplicaSets);
  int32_t maxTotal = replicas + maxSurge(deployment);
  if (current >= maxTotal) {
    return specReplicas(newReplicaSet);
  }
  int32_t up = std::min(maxTotal - current, replicas - specReplicas(newReplicaSet));
  return specReplicas(newReplicaSet) + up;
}

SyncPlan planSync(const SyncInput& input) {
  return Planner(input).run();
}

}  // namespace berth::controllers::deployment
