#pragma once

// The replica count one Resource metric asks for: Kubernetes' ReplicaCalculator
// (GetResourceReplicas for a Utilization target, GetRawResourceReplicas for an AverageValue
// target) over pods and metrics already fetched.
//
// The pods are grouped first: deleted and Failed pods are ignored; Pending pods are "unready";
// pods without a metric are "missing"; for cpu, a pod is also unready when it has no Ready
// condition or no start time, when it is within the cpu initialization period after its start
// and is not Ready or its metric window began before it last became Ready, or when it is not
// Ready and never was (its Ready condition changed within the initial readiness delay after
// start). The usage ratio is computed over the remaining pods: utilization
// = sum(usage) x 100 / sum(requests) (integer), ratio = utilization / target; AverageValue:
// average = sum(usage) / n, ratio = average / target.
//
// Within the tolerance (|1 - ratio| <= tolerance) the current count stays. Otherwise, without
// missing pods and without unready pods on a scale-up, desired = ceil(ratio x ready pods).
// Else the missing pods count as using 100% of their request (of the target for AverageValue)
// on a scale-down and 0% on a scale-up, unready pods as 0% on a scale-up; the ratio is computed
// again and, unless it is within the tolerance or changed direction, desired = ceil(ratio x
// pods counted) (or the current count if that would move against the ratio).
// Pure functions, thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "controllers/hpa_types.h"

namespace berth::controllers::hpa {

struct CalculatorOptions {
  double tolerance = 0.1;
  std::chrono::seconds cpuInitializationPeriod{300};
  std::chrono::seconds delayOfInitialReadinessStatus{30};
};

struct ResourceProposal {
  int32_t replicas = 0;
  // Utilization targets only: the current utilization in percent of the requests.
  std::optional<int32_t> averageUtilization;
  // The current average usage per pod, in milli-units.
  int64_t averageValueMilli = 0;
  Clock::WallTime timestamp{};
};

// The proposal of one Resource metric. `pods` are the pods the target's selector matches,
// `metrics` their PodMetrics. Errors (kInvalidArgument for the spec's or the pods' faults,
// kUnavailable for missing data) carry Kubernetes' messages, e.g.
// "missing request for cpu in container app of Pod web-1",
// "did not receive metrics for targeted pods (pods might be unready)",
// "no pods returned by selector while calculating replica count".
Result<ResourceProposal> resourceReplicas(int32_t currentReplicas, const MetricSpec& metric,
                                          const std::vector<PodSample>& pods,
                                          const std::vector<PodMetricsSample>& metrics,
                                          Clock::WallTime now, const CalculatorOptions& options);

}  // namespace berth::controllers::hpa
