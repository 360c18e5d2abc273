#include "controllers/deployment_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "controllers/controller_utils.h"

namespace berth::controllers::deployment {

namespace {

const json& field(const json& object, const char* a) {
  static const json kNull;
  if (!object.is_object()) {
    return kNull;
  }
  auto it = object.find(a);
  return it == object.end() ? kNull : *it;
}

const json& field(const json& object, const char* a, const char* b) {
  return field(field(object, a), b);
}

std::optional<int64_t> parseInt(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
    return std::nullopt;
  }
  return v;
}

bool skippedAnnotation(const std::string& key) {
  return key == kLastAppliedAnnotation || key == kRevisionAnnotation ||
         key == kRevisionHistoryAnnotation || key == kDesiredReplicasAnnotation ||
         key == kMaxReplicasAnnotation || key == "deprecated.deployment.rollback.to" ||
         key == kRolloutCompleteAnnotation;
}

json& annotationsOf(json& object) {
  json& meta = object["metadata"];
  if (!meta.is_object()) {
    meta = json::object();
  }
  json& annotations = meta["annotations"];
  if (!annotations.is_object()) {
    annotations = json::object();
  }
  return annotations;
}

// How many characters of revision history an RS keeps (Kubernetes' default).
constexpr size_t kRevisionHistoryChars = 2000;

}  // namespace

int32_t specReplicas(const json& object) {
  const json& v = field(object, "spec", "replicas");
  return v.is_number_integer() ? v.get<int32_t>() : 1;
}

int32_t statusCount(const json& object, const char* name) {
  const json& v = field(object, "status", name);
  return v.is_number_integer() ? v.get<int32_t>() : 0;
}

bool isPaused(const json& deployment) {
  const json& v = field(deployment, "spec", "paused");
  return v.is_boolean() && v.get<bool>();
}

bool isRollingUpdate(const json& deployment) {
  const json& type = field(field(deployment, "spec", "strategy"), "type");
  return !type.is_string() || type.get<std::string>() != "Recreate";
}

int32_t minReadySeconds(const json& deployment) {
  const json& v = field(deployment, "spec", "minReadySeconds");
  return v.is_number_integer() ? v.get<int32_t>() : 0;
}

std::optional<int32_t> progressDeadline(const json& deployment) {
  const json& v = field(deployment, "spec", "progressDeadlineSeconds");
  if (!v.is_number_integer() || v.get<int64_t>() >= std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return v.get<int32_t>();
}

std::optional<int32_t> revisionHistoryLimit(const json& deployment) {
  const json& v = field(deployment, "spec", "revisionHistoryLimit");
  if (!v.is_number_integer()) {
    return std::nullopt;
  }
  return v.get<int32_t>();
}

std::string annotation(const json& object, const std::string& key) {
  const json& annotations = field(object, "metadata", "annotations");
  const json& v = field(annotations, key.c_str());
  return v.is_string() ? v.get<std::string>() : "";
}

bool hasAnnotation(const json& object, const std::string& key) {
  const json& annotations = field(object, "metadata", "annotations");
  return annotations.is_object() && annotations.contains(key);
}

int32_t scaledValue(const json& intOrPercent, int32_t total, bool roundUp) {
  if (intOrPercent.is_number_integer()) {
    return intOrPercent.get<int32_t>();
  }
  if (!intOrPercent.is_string()) {
    return 0;
  }
  std::string s = intOrPercent.get<std::string>();
  if (!s.ends_with('%')) {
    return 0;
  }
  auto percent = parseInt(std::string_view(s).substr(0, s.size() - 1));
  if (!percent) {
    return 0;
  }
  int64_t product = *percent * total;
  int64_t value = roundUp ? (product + 99) / 100 : product / 100;
  return static_cast<int32_t>(value);
}

Fenceposts resolveFenceposts(const json& maxSurge, const json& maxUnavailable, int32_t desired) {
  const json kDefault = "25%";
  Fenceposts f;
  f.maxSurge = scaledValue(maxSurge.is_null() ? kDefault : maxSurge, desired, true);
  f.maxUnavailable =
      scaledValue(maxUnavailable.is_null() ? kDefault : maxUnavailable, desired, false);
  if (f.maxSurge == 0 && f.maxUnavailable == 0) {
    // Validation rejects both zero; a percent rounding to zero gets here.
    f.maxUnavailable = 1;
  }
  return f;
}

namespace {

Fenceposts deploymentFenceposts(const json& deployment) {
  const json& rolling = field(field(deployment, "spec", "strategy"), "rollingUpdate");
  return resolveFenceposts(field(rolling, "maxSurge"), field(rolling, "maxUnavailable"),
                           specReplicas(deployment));
}

}  // namespace

int32_t maxSurge(const json& deployment) {
  if (!isRollingUpdate(deployment)) {
    return 0;
  }
  return deploymentFenceposts(deployment).maxSurge;
}

int32_t maxUnavailable(const json& deployment) {
  int32_t replicas = specReplicas(deployment);
  if (!isRollingUpdate(deployment) || replicas == 0) {
    return 0;
  }
  return std::min(deploymentFenceposts(deployment).maxUnavailable, replicas);
}

int32_t specReplicaSum(const std::vector<json>& replicaSets) {
  int32_t sum = 0;
  for (const auto& rs : replicaSets) {
    sum += specReplicas(rs);
  }
  return sum;
}

int32_t statusReplicaSum(const std::vector<json>& replicaSets) {
  int32_t sum = 0;
  for (const auto& rs : replicaSets) {
    sum += statusCount(rs, "replicas");
  }
  return sum;
}

int32_t readyReplicaSum(const std::vector<json>& replicaSets) {
  int32_t sum = 0;
  for (const auto& rs : replicaSets) {
    sum += statusCount(rs, "readyReplicas");
  }
  return sum;
}

int32_t availableReplicaSum(const std::vector<json>& replicaSets) {
  int32_t sum = 0;
  for (const auto& rs : replicaSets) {
    sum += statusCount(rs, "availableReplicas");
  }
  return sum;
}

std::vector<json> activeReplicaSets(const std::vector<json>& replicaSets) {
  std::vector<json> active;
  for (const auto& rs : replicaSets) {
    if (specReplicas(rs) > 0) {
      active.push_back(rs);
    }
  }
  return active;
}

std::string computeHash(const json& podTemplate, std::optional<int32_t> collisionCount) {
  // nlohmann::json keeps object keys sorted, so dump() is canonical.
  uint32_t hash = 2166136261u;
  auto mix = [&hash](const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) {
      hash ^= bytes[i];
      hash *= 16777619u;
    }
  };
  std::string text = podTemplate.dump();
  mix(text.data(), text.size());
  if (collisionCount) {
    unsigned char bytes[8] = {};
    auto value = static_cast<uint32_t>(*collisionCount);
    for (int i = 0; i < 4; ++i) {
      bytes[i] = static_cast<unsigned char>(value >> (8 * i));
    }
    mix(bytes, sizeof(bytes));
  }
  // rand.SafeEncodeString: each character of the decimal form mapped into an alphabet without
  // vowels (no words) and without look-alike characters.
  static constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
  std::string encoded = std::to_string(hash);
  for (char& c : encoded) {
    c = kAlphanums[static_cast<unsigned char>(c) % kAlphanums.size()];
  }
  return encoded;
}

json templateWithoutHash(const json& podTemplate) {
  json copy = podTemplate;
  if (copy.is_object() && copy.contains("metadata") && copy["metadata"].is_object()) {
    json& meta = copy["metadata"];
    if (meta.contains("labels") && meta["labels"].is_object()) {
      meta["labels"].erase(kPodTemplateHashLabel);
      if (meta["labels"].empty()) {
        meta.erase("labels");
      }
    }
    if (meta.empty()) {
      copy.erase("metadata");
    }
  }
  return copy;
}

bool equalIgnoreHash(const json& a, const json& b) {
  return templateWithoutHash(a) == templateWithoutHash(b);
}

int64_t revisionOf(const json& object) {
  return parseInt(annotation(object, kRevisionAnnotation)).value_or(0);
}

int64_t maxRevision(const std::vector<json>& replicaSets) {
  int64_t most = 0;
  for (const auto& rs : replicaSets) {
    most = std::max(most, revisionOf(rs));
  }
  return most;
}

void sortByCreation(std::vector<json>& replicaSets) {
  std::stable_sort(replicaSets.begin(), replicaSets.end(), [](const json& a, const json& b) {
    auto ta = parseTimestamp(field(a, "metadata", "creationTimestamp"));
    auto tb = parseTimestamp(field(b, "metadata", "creationTimestamp"));
    if (ta != tb) {
      return ta < tb;
    }
    return metaString(a, "name") < metaString(b, "name");
  });
}

void sortByRevision(std::vector<json>& replicaSets) {
  sortByCreation(replicaSets);
  std::stable_sort(replicaSets.begin(), replicaSets.end(),
                   [](const json& a, const json& b) { return revisionOf(a) < revisionOf(b); });
}

std::optional<json> findNewReplicaSet(const json& deployment, std::vector<json> replicaSets) {
  sortByCreation(replicaSets);
  const json& podTemplate = field(deployment, "spec", "template");
  for (auto& rs : replicaSets) {
    if (equalIgnoreHash(field(rs, "spec", "template"), podTemplate)) {
      return std::move(rs);
    }
  }
  return std::nullopt;
}

std::optional<int32_t> intAnnotation(const json& rs, const std::string& key) {
  auto v = parseInt(annotation(rs, key));
  if (!v || *v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int32_t>(*v);
}

bool replicasAnnotationsNeedUpdate(const json& rs, int32_t desired, int32_t max) {
  return annotation(rs, kDesiredReplicasAnnotation) != std::to_string(desired) ||
         annotation(rs, kMaxReplicasAnnotation) != std::to_string(max);
}

bool setReplicasAnnotations(json& rs, int32_t desired, int32_t max) {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) {
    return false;
  }
  json& annotations = annotationsOf(rs);
  annotations[kDesiredReplicasAnnotation] = std::to_string(desired);
  annotations[kMaxReplicasAnnotation] = std::to_string(max);
  return true;
}

bool setNewReplicaSetAnnotations(const json& deployment, json& rs, int64_t newRevision,
                                 bool created) {
  bool changed = false;
  json& annotations = annotationsOf(rs);
  const json& from = field(deployment, "metadata", "annotations");
  if (from.is_object()) {
    for (const auto& [key, value] : from.items()) {
      if (skippedAnnotation(key)) {
        continue;
      }
      if (!annotations.contains(key) || annotations[key] != value) {
        annotations[key] = value;
        changed = true;
      }
    }
  }
  bool hadRevision = annotations.contains(kRevisionAnnotation);
  std::string oldRevision = hadRevision && annotations[kRevisionAnnotation].is_string()
                                ? annotations[kRevisionAnnotation].get<std::string>()
                                : "";
  std::optional<int64_t> oldValue = oldRevision.empty() ? 0 : parseInt(oldRevision);
  if (oldValue && *oldValue < newRevision) {
    annotations[kRevisionAnnotation] = std::to_string(newRevision);
    changed = true;
    if (hadRevision && !oldRevision.empty()) {
      // A template that becomes new again (a rollback) keeps its former revisions.
      std::string history = annotation(rs, kRevisionHistoryAnnotation);
      std::vector<std::string> revisions;
      for (size_t start = 0; !history.empty() && start <= history.size();) {
        size_t comma = history.find(',', start);
        if (comma == std::string::npos) {
          comma = history.size();
        }
        revisions.push_back(history.substr(start, comma - start));
        start = comma + 1;
      }
      revisions.push_back(oldRevision);
      size_t total = 0;
      for (const auto& r : revisions) {
        total += r.size() + 1;
      }
      size_t first = 0;
      while (total - 1 > kRevisionHistoryChars && first + 1 < revisions.size()) {
        total -= revisions[first].size() + 1;
        ++first;
      }
      std::string joined;
      for (size_t i = first; i < revisions.size(); ++i) {
        joined += (joined.empty() ? "" : ",") + revisions[i];
      }
      annotations[kRevisionHistoryAnnotation] = joined;
    }
  }
  if (created && setReplicasAnnotations(rs, specReplicas(deployment),
                                        specReplicas(deployment) + maxSurge(deployment))) {
    changed = true;
  }
  return changed;
}

std::optional<json> getCondition(const json& status, const std::string& type) {
  const json& conditions = field(status, "conditions");
  if (!conditions.is_array()) {
    return std::nullopt;
  }
  for (const auto& c : conditions) {
    if (c.is_object() && c.value("type", "") == type) {
      return c;
    }
  }
  return std::nullopt;
}

json newCondition(const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, Clock::WallTime now) {
  std::string time = rfc3339(now);
  return {{"type", type},       {"status", status},       {"reason", reason},
          {"message", message}, {"lastUpdateTime", time}, {"lastTransitionTime", time}};
}

void setCondition(json& status, const json& condition) {
  std::string type = condition.value("type", "");
  json next = condition;
  if (auto current = getCondition(status, type)) {
    if (current->value("status", "") == condition.value("status", "") &&
        current->value("reason", "") == condition.value("reason", "")) {
      return;
    }
    if (current->value("status", "") == condition.value("status", "") &&
        current->contains("lastTransitionTime")) {
      next["lastTransitionTime"] = (*current)["lastTransitionTime"];
    }
  }
  removeCondition(status, type);
  if (!status["conditions"].is_array()) {
    status["conditions"] = json::array();
  }
  status["conditions"].push_back(std::move(next));
}

void removeCondition(json& status, const std::string& type) {
  if (!status.is_object() || !status.contains("conditions") || !status["conditions"].is_array()) {
    return;
  }
  json kept = json::array();
  for (auto& c : status["conditions"]) {
    if (!c.is_object() || c.value("type", "") != type) {
      kept.push_back(std::move(c));
    }
  }
  status["conditions"] = std::move(kept);
}

bool deploymentComplete(const json& deployment, const json& status) {
  int32_t replicas = specReplicas(deployment);
  int64_t generation = field(deployment, "metadata", "generation").is_number_integer()
                           ? field(deployment, "metadata", "generation").get<int64_t>()
                           : 0;
  int64_t observed = status.value("observedGeneration", int64_t{0});
  return status.value("updatedReplicas", 0) == replicas &&
         status.value("replicas", 0) == replicas &&
         status.value("availableReplicas", 0) == replicas && observed >= generation;
}

bool deploymentProgressing(const json& deployment, const json& newStatus) {
  const json& old = field(deployment, "status");
  auto get = [](const json& s, const char* key) {
    return s.is_object() && s.contains(key) && s[key].is_number_integer() ? s[key].get<int32_t>()
                                                                          : 0;
  };
  int32_t oldStale = get(old, "replicas") - get(old, "updatedReplicas");
  int32_t newStale = get(newStatus, "replicas") - get(newStatus, "updatedReplicas");
  return get(newStatus, "updatedReplicas") > get(old, "updatedReplicas") || newStale < oldStale ||
         get(newStatus, "readyReplicas") > get(old, "readyReplicas") ||
         get(newStatus, "availableReplicas") > get(old, "availableReplicas");
}

bool deploymentTimedOut(const json& deployment, const json& newStatus, Clock::WallTime now) {
  auto deadline = progressDeadline(deployment);
  if (!deadline) {
    return false;
  }
  auto condition = getCondition(newStatus, kConditionProgressing);
  if (!condition) {
    return false;
  }
  std::string reason = condition->value("reason", "");
  if (reason == kReasonNewRSAvailable) {
    return false;
  }
  if (reason == kReasonTimedOut) {
    return true;
  }
  auto from = parseTimestamp(condition->value("lastUpdateTime", json()));
  if (!from) {
    return false;
  }
  return *from + std::chrono::seconds(*deadline) < now;
}

}  // namespace berth::controllers::deployment
