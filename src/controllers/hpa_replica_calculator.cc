#include "controllers/hpa_replica_calculator.h"

#include <cmath>
#include <map>
#include <set>

namespace berth::controllers::hpa {
namespace {

struct PodMetric {
  int64_t value = 0;  // milli-units
  Clock::WallTime timestamp{};
  std::chrono::milliseconds window{0};
};

using MetricsByPod = std::map<std::string, PodMetric>;

struct PodGroups {
  int readyCount = 0;
  std::set<std::string> unready;
  std::set<std::string> missing;
  std::set<std::string> ignored;
};

// A pod's usage of `resource`: the sum over its containers; a pod where a container lacks the
// resource has no metric (as metrics-server's client in Kubernetes skips it).
MetricsByPod podMetricsFor(const std::vector<PodMetricsSample>& samples,
                           const std::string& resource) {
  MetricsByPod out;
  for (const PodMetricsSample& sample : samples) {
    int64_t sum = 0;
    bool complete = !sample.containers.empty();
    for (const auto& container : sample.containers) {
      auto it = container.usageMilli.find(resource);
      if (it == container.usageMilli.end()) {
        complete = false;
        break;
      }
      sum += it->second;
    }
    if (complete) {
      out[sample.name] = {sum, sample.timestamp, sample.window};
    }
  }
  return out;
}

PodGroups groupPods(const std::vector<PodSample>& pods, const MetricsByPod& metrics,
                    const std::string& resource, Clock::WallTime now,
                    const CalculatorOptions& options) {
  PodGroups groups;
  for (const PodSample& pod : pods) {
    if (pod.deleting || pod.phase == "Failed") {
      groups.ignored.insert(pod.name);
      continue;
    }
    if (pod.phase == "Pending" || pod.phase.empty()) {
      groups.unready.insert(pod.name);
      continue;
    }
    auto metric = metrics.find(pod.name);
    if (metric == metrics.end()) {
      groups.missing.insert(pod.name);
      continue;
    }
    if (resource == "cpu") {
      bool unready;
      if (!pod.ready || !pod.startTime) {
        unready = true;
      } else if (*pod.startTime + options.cpuInitializationPeriod > now) {
        // Within the initialization period: ignore the sample if the pod is unready or one
        // metric window has not passed since it became ready.
        unready =
            !*pod.ready || metric->second.timestamp < pod.readyTransition + metric->second.window;
      } else {
        // Ignore an unready pod that has never been ready.
        unready = !*pod.ready &&
                  *pod.startTime + options.delayOfInitialReadinessStatus > pod.readyTransition;
      }
      if (unready) {
        groups.unready.insert(pod.name);
        continue;
      }
    }
    ++groups.readyCount;
  }
  return groups;
}

Result<std::map<std::string, int64_t>> podRequests(const std::vector<PodSample>& pods,
                                                   const std::string& resource) {
  std::map<std::string, int64_t> requests;
  for (const PodSample& pod : pods) {
    int64_t sum = 0;
    for (const auto& container : pod.containers) {
      auto it = container.requestsMilli.find(resource);
      if (it == container.requestsMilli.end() || it->second == 0) {
        return fail(ErrorCode::kInvalidArgument, "missing request for {} in container {} of Pod {}",
                    resource, container.name, pod.name);
      }
      sum += it->second;
    }
    requests[pod.name] = sum;
  }
  return requests;
}

struct Utilization {
  double ratio = 0;
  int32_t percent = 0;
  int64_t rawAverage = 0;
};

Result<Utilization> utilizationRatio(const MetricsByPod& metrics,
                                     const std::map<std::string, int64_t>& requests,
                                     int32_t target) {
  int64_t usageTotal = 0;
  int64_t requestTotal = 0;
  int64_t n = 0;
  for (const auto& [name, metric] : metrics) {
    auto request = requests.find(name);
    if (request == requests.end()) {
      continue;
    }
    usageTotal += metric.value;
    requestTotal += request->second;
    ++n;
  }
  if (requestTotal == 0) {
    return fail(ErrorCode::kUnavailable, "no metrics returned matched known pods");
  }
  auto percent = static_cast<int32_t>(usageTotal * 100 / requestTotal);
  return Utilization{static_cast<double>(percent) / target, percent, usageTotal / n};
}

std::pair<double, int64_t> usageRatio(const MetricsByPod& metrics, int64_t target) {
  int64_t total = 0;
  for (const auto& [name, metric] : metrics) {
    total += metric.value;
  }
  int64_t average = total / static_cast<int64_t>(metrics.size());
  return {static_cast<double>(average) / static_cast<double>(target), average};
}

int32_t ceilReplicas(double ratio, size_t pods) {
  return static_cast<int32_t>(std::ceil(ratio * static_cast<double>(pods)));
}

}  // namespace

Result<ResourceProposal> resourceReplicas(int32_t currentReplicas, const MetricSpec& metric,
                                          const std::vector<PodSample>& pods,
                                          const std::vector<PodMetricsSample>& samples,
                                          Clock::WallTime now, const CalculatorOptions& options) {
  const std::string& resource = metric.resourceName;
  const bool byValue = metric.averageValueMilli.has_value();
  if (!byValue && !metric.averageUtilization) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid resource metric source: neither an average utilization target nor an "
                "average value (usage) target was set");
  }
  MetricsByPod all = podMetricsFor(samples, resource);
  if (pods.empty()) {
    return fail(ErrorCode::kUnavailable,
                "no pods returned by selector while calculating replica count");
  }
  MetricsByPod metrics;  // only the pods of the selector
  for (const PodSample& pod : pods) {
    if (auto it = all.find(pod.name); it != all.end()) {
      metrics[pod.name] = it->second;
    }
  }
  ResourceProposal proposal;
  if (!samples.empty()) {
    proposal.timestamp = samples.front().timestamp;
  }
  PodGroups groups = groupPods(pods, metrics, resource, now, options);
  for (const auto* set : {&groups.ignored, &groups.unready}) {
    for (const std::string& name : *set) {
      metrics.erase(name);
    }
  }
  std::map<std::string, int64_t> requests;
  if (!byValue) {
    BERTH_ASSIGN_OR_RETURN(requests, podRequests(pods, resource));
  }
  if (metrics.empty()) {
    return fail(ErrorCode::kUnavailable,
                "did not receive metrics for targeted pods (pods might be unready)");
  }

  // ratio() computes the usage ratio of the current `metrics`.
  auto ratio = [&]() -> Result<double> {
    if (byValue) {
      return usageRatio(metrics, *metric.averageValueMilli).first;
    }
    BERTH_ASSIGN_OR_RETURN(Utilization u,
                           utilizationRatio(metrics, requests, *metric.averageUtilization));
    return u.ratio;
  };
  double ratio0 = 0;
  if (byValue) {
    auto [r, average] = usageRatio(metrics, *metric.averageValueMilli);
    ratio0 = r;
    proposal.averageValueMilli = average;
  } else {
    BERTH_ASSIGN_OR_RETURN(Utilization u,
                           utilizationRatio(metrics, requests, *metric.averageUtilization));
    ratio0 = u.ratio;
    proposal.averageUtilization = u.percent;
    proposal.averageValueMilli = u.rawAverage;
  }

  const bool scaleUpWithUnready = !groups.unready.empty() && ratio0 > 1.0;
  if (!scaleUpWithUnready && groups.missing.empty()) {
    proposal.replicas = std::abs(1.0 - ratio0) <= options.tolerance
                            ? currentReplicas
                            : ceilReplicas(ratio0, static_cast<size_t>(groups.readyCount));
    return proposal;
  }
  if (!groups.missing.empty()) {
    for (const std::string& name : groups.missing) {
      if (ratio0 < 1.0) {
        // On a scale-down, a pod without metrics counts as using its whole request (target).
        metrics[name].value = byValue ? *metric.averageValueMilli : requests[name];
      } else if (ratio0 > 1.0 || byValue) {
        metrics[name].value = 0;  // on a scale-up, as using nothing
      }
    }
  }
  if (scaleUpWithUnready) {
    for (const std::string& name : groups.unready) {
      metrics[name].value = 0;
    }
  }
  BERTH_ASSIGN_OR_RETURN(double ratio1, ratio());
  if (std::abs(1.0 - ratio1) <= options.tolerance || (ratio0 < 1.0 && ratio1 > 1.0) ||
      (ratio0 > 1.0 && ratio1 < 1.0)) {
    proposal.replicas = currentReplicas;  // too small a change, or the direction flipped
    return proposal;
  }
  int32_t replicas = ceilReplicas(ratio1, metrics.size());
  if ((ratio1 < 1.0 && replicas > currentReplicas) ||
      (ratio1 > 1.0 && replicas < currentReplicas)) {
    replicas = currentReplicas;
  }
  proposal.replicas = replicas;
  return proposal;
}

}  // namespace berth::controllers::hpa
