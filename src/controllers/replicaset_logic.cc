#include "controllers/replicaset_logic.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

#include "controllers/controller_utils.h"

namespace berth::controllers {

namespace {

constexpr int kMaxParallelCalls = 32;
constexpr const char* kDeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

std::string nodeNameOf(const json& pod) {
  if (!pod.is_object() || !pod.contains("spec") || !pod["spec"].is_object()) {
    return "";
  }
  return pod["spec"].value("nodeName", "");
}

int phaseOrdinal(const json& pod) {
  std::string phase = podPhase(pod);
  if (phase == "Unknown") {
    return 1;
  }
  if (phase == "Running") {
    return 2;
  }
  return 0;  // Pending, and anything else as Go's map default
}

int64_t deletionCost(const json& pod) {
  const json meta = pod.value("metadata", json::object());
  const json annotations = meta.value("annotations", json::object());
  auto it = annotations.find(kDeletionCostAnnotation);
  if (it == annotations.end() || !it->is_string()) {
    return 0;
  }
  try {
    size_t used = 0;
    int64_t cost = std::stoll(it->get<std::string>(), &used);
    return used == it->get_ref<const std::string&>().size() ? cost : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

std::optional<Clock::WallTime> readyTime(const json& pod) {
  if (!isPodReady(pod)) {
    return std::nullopt;
  }
  return parseTimestamp(podReadyCondition(pod)->value("lastTransitionTime", json()));
}

// afterOrZero: an empty time sorts first, then the later one.
bool afterOrZero(const std::optional<Clock::WallTime>& a, const std::optional<Clock::WallTime>& b) {
  if (!a || !b) {
    return !a;
  }
  return *a > *b;
}

int64_t logRank(Clock::WallTime t, Clock::WallTime now) {
  auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t).count();
  return d > 0 ? static_cast<int64_t>(std::log2(static_cast<double>(d))) : -1;
}

// Steps 6 and 8 of the ordering: the more recent time first, compared in log2 buckets.
std::optional<bool> compareTimes(const std::optional<Clock::WallTime>& a,
                                 const std::optional<Clock::WallTime>& b, const json& podA,
                                 const json& podB, Clock::WallTime now) {
  if (a == b) {
    return std::nullopt;
  }
  if (!a || !b) {
    return afterOrZero(a, b);
  }
  int64_t diff = logRank(*a, now) - logRank(*b, now);
  if (diff == 0) {
    return metaString(podA, "uid") < metaString(podB, "uid");
  }
  return diff < 0;
}

}  // namespace

bool deletesBefore(const json& a, int rankA, const json& b, int rankB, Clock::WallTime now) {
  std::string nodeA = nodeNameOf(a);
  std::string nodeB = nodeNameOf(b);
  if (nodeA != nodeB && (nodeA.empty() || nodeB.empty())) {
    return nodeA.empty();
  }
  if (phaseOrdinal(a) != phaseOrdinal(b)) {
    return phaseOrdinal(a) < phaseOrdinal(b);
  }
  bool readyA = isPodReady(a);
  bool readyB = isPodReady(b);
  if (readyA != readyB) {
    return !readyA;
  }
  if (deletionCost(a) != deletionCost(b)) {
    return deletionCost(a) < deletionCost(b);
  }
  if (rankA != rankB) {
    return rankA > rankB;
  }
  if (readyA && readyB) {
    if (auto r = compareTimes(readyTime(a), readyTime(b), a, b, now)) {
      return *r;
    }
  }
  if (maxContainerRestarts(a) != maxContainerRestarts(b)) {
    return maxContainerRestarts(a) > maxContainerRestarts(b);
  }
  auto createdA =
      parseTimestamp(a.value("metadata", json::object()).value("creationTimestamp", json()));
  auto createdB =
      parseTimestamp(b.value("metadata", json::object()).value("creationTimestamp", json()));
  if (auto r = compareTimes(createdA, createdB, a, b, now)) {
    return *r;
  }
  return false;
}

std::vector<json> podsToDelete(const std::vector<json>& pods, const std::vector<json>& related,
                               size_t count, Clock::WallTime now) {
  std::map<std::string, int> onNode;
  for (const auto& pod : related) {
    if (isPodActive(pod)) {
      ++onNode[nodeNameOf(pod)];
    }
  }
  std::vector<std::pair<json, int>> ranked;
  ranked.reserve(pods.size());
  for (const auto& pod : pods) {
    ranked.emplace_back(pod, onNode[nodeNameOf(pod)]);
  }
  if (count < ranked.size()) {
    std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& x, const auto& y) {
      return deletesBefore(x.first, x.second, y.first, y.second, now);
    });
  }
  std::vector<json> out;
  for (size_t i = 0; i < ranked.size() && i < count; ++i) {
    out.push_back(std::move(ranked[i].first));
  }
  return out;
}

BatchResult slowStartBatch(int count, int initialBatchSize, const std::function<Status()>& fn) {
  BatchResult result;
  int remaining = count;
  for (int batch = std::min(remaining, initialBatchSize); batch > 0;
       batch = std::min(2 * batch, remaining)) {
    std::atomic<int> next = 0;
    std::mutex mu;
    int failures = 0;
    auto worker = [&] {
      while (next.fetch_add(1) < batch) {
        Status s = fn();
        std::lock_guard lock(mu);
        if (s) {
          ++result.successes;
        } else {
          ++failures;
          if (!result.firstError) {
            result.firstError = s.error();
          }
        }
      }
    };
    int threads = std::min(batch, kMaxParallelCalls);
    if (threads == 1) {
      worker();
    } else {
      std::vector<std::thread> pool;
      for (int i = 0; i < threads; ++i) {
        pool.emplace_back(worker);
      }
      for (auto& t : pool) {
        t.join();
      }
    }
    result.failures += failures;
    if (failures > 0) {
      break;
    }
    remaining -= batch;
  }
  return result;
}

bool hasTemplateLabels(const json& rs, const json& pod) {
  const json spec = rs.value("spec", json::object());
  const json tmpl = spec.value("template", json::object());
  auto templateLabels = labelsOf(tmpl);
  auto podLabels = labelsOf(pod);
  for (const auto& [k, v] : templateLabels) {
    auto it = podLabels.find(k);
    if (it == podLabels.end() || it->second != v) {
      return false;
    }
  }
  return true;
}

json calculateReplicaSetStatus(const json& rs, const std::vector<json>& pods,
                               const std::optional<std::string>& manageError, int diff,
                               Clock::WallTime now) {
  json status = rs.value("status", json::object());
  if (!status.is_object()) {
    status = json::object();
  }
  int64_t minReady = rs.value("spec", json::object()).value("minReadySeconds", int64_t{0});
  int64_t fullyLabeled = 0;
  int64_t ready = 0;
  int64_t available = 0;
  for (const auto& pod : pods) {
    if (hasTemplateLabels(rs, pod)) {
      ++fullyLabeled;
    }
    if (isPodReady(pod)) {
      ++ready;
      if (isPodAvailable(pod, minReady, now)) {
        ++available;
      }
    }
  }
  status["replicas"] = static_cast<int64_t>(pods.size());
  status["fullyLabeledReplicas"] = fullyLabeled;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = available;
  status["observedGeneration"] =
      rs.value("metadata", json::object()).value("generation", int64_t{0});

  json conditions = status.value("conditions", json::array());
  if (!conditions.is_array()) {
    conditions = json::array();
  }
  auto failure = std::find_if(conditions.begin(), conditions.end(), [](const json& c) {
    return c.is_object() && c.value("type", "") == "ReplicaFailure";
  });
  if (manageError && failure == conditions.end()) {
    std::string reason = diff < 0 ? "FailedCreate" : (diff > 0 ? "FailedDelete" : "");
    conditions.push_back({{"type", "ReplicaFailure"},
                          {"status", "True"},
                          {"lastTransitionTime", rfc3339(now)},
                          {"reason", reason},
                          {"message", *manageError}});
  } else if (!manageError && failure != conditions.end()) {
    conditions.erase(failure);
  }
  if (conditions.empty()) {
    status.erase("conditions");
  } else {
    status["conditions"] = conditions;
  }
  return status;
}

bool replicaSetStatusChanged(const json& oldStatus, const json& newStatus) {
  for (const char* field : {"replicas", "fullyLabeledReplicas", "readyReplicas",
                            "availableReplicas", "observedGeneration"}) {
    if (oldStatus.value(field, int64_t{0}) != newStatus.value(field, int64_t{0})) {
      return true;
    }
  }
  return oldStatus.value("conditions", json::array()) !=
         newStatus.value("conditions", json::array());
}

std::optional<std::chrono::milliseconds> nextAvailableIn(const std::vector<json>& pods,
                                                         int64_t minReadySeconds,
                                                         Clock::WallTime now) {
  if (minReadySeconds <= 0) {
    return std::nullopt;
  }
  std::optional<std::chrono::milliseconds> next;
  for (const auto& pod : pods) {
    if (!isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) {
      continue;
    }
    auto since = readyTime(pod);
    std::chrono::milliseconds left = std::chrono::seconds(minReadySeconds);
    if (since) {
      left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *since + std::chrono::seconds(minReadySeconds) - now);
    }
    left = std::max(left, std::chrono::milliseconds(1));
    if (!next || left < *next) {
      next = left;
    }
  }
  return next;
}

json podFromTemplate(const json& rs) {
  const json spec = rs.value("spec", json::object());
  const json tmpl = spec.value("template", json::object());
  const json tmeta = tmpl.value("metadata", json::object());
  json meta = {{"generateName", metaString(rs, "name") + "-"},
               {"namespace", metaString(rs, "namespace")},
               {"ownerReferences", json::array({newControllerRef(rs, "apps/v1", "ReplicaSet")})}};
  for (const char* field : {"labels", "annotations", "finalizers"}) {
    if (tmeta.contains(field) && !tmeta[field].is_null() && !tmeta[field].empty()) {
      meta[field] = tmeta[field];
    }
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", meta},
          {"spec", tmpl.value("spec", json::object())}};
}

}  // namespace berth::controllers
