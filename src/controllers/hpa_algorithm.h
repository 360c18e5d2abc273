#pragma once

// One reconciliation of a HorizontalPodAutoscaler as a pure function: from the HPA's spec, the
// target's scale, the pods and their metrics, the HPA's history and the time, the replica count
// to write, why, the conditions and metric statuses for the HPA's status and the events to
// record. This is the decision half of Kubernetes' reconcileAutoscaler; the controller
// (hpa_controller.h) does the reads and writes around it.
//
// Order of the decision, as in Kubernetes:
//   - target at 0 replicas with minReplicas > 0: scaling disabled (ScalingActive False
//     ScalingDisabled), nothing written;
//   - target above maxReplicas: scale to maxReplicas; below minReplicas: scale to minReplicas
//     (no metrics needed);
//   - otherwise each metric proposes a count (the highest wins); when every metric fails (or
//     some fail and the rest would scale down) nothing is scaled and ScalingActive is False with
//     the first failure's reason; else ScalingActive True ValidMetricFound, and the proposal is
//     normalized (hpa_normalizer.h).
// Not thread-safe for one history.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "controllers/hpa_normalizer.h"
#include "controllers/hpa_replica_calculator.h"
#include "controllers/hpa_types.h"

namespace berth::controllers::hpa {

struct AlgorithmOptions {
  CalculatorOptions calculator;
  // The scale-down stabilization window of HPAs without spec.behavior.
  std::chrono::seconds downscaleStabilizationWindow{300};
};

struct HpaInput {
  const HpaSpec* spec = nullptr;
  int32_t currentReplicas = 0;  // the target's scale spec.replicas
  std::string selector;         // the target's scale status.selector
  // The pods of the HPA's namespace (filtered here by `selector`).
  std::vector<PodSample> pods;
  // The metrics of the selector's pods; only read when needsMetrics(). An error is reported as
  // "unable to get metrics for resource cpu: <message>".
  Result<std::vector<PodMetricsSample>> podMetrics = std::vector<PodMetricsSample>{};
  Clock::WallTime now{};
};

struct HpaEvent {
  std::string type;  // "Normal", "Warning"
  std::string reason;
  std::string message;
};

struct HpaDecision {
  // Whether to write the target's scale with desiredReplicas.
  bool rescale = false;
  int32_t desiredReplicas = 0;
  // "cpu resource utilization (percentage of request) above target", "All metrics below
  // target", "Current number of replicas below Spec.MinReplicas", ...
  std::string rescaleReason;
  // When true the metrics could not be computed: the status keeps its desiredReplicas and the
  // controller records FailedComputeMetricsReplicas with `error`.
  bool failed = false;
  std::string error;
  // status.currentMetrics (an array, one entry per spec metric computed so far).
  nlohmann::json currentMetrics = nlohmann::json::array();
  // Conditions to set, in order, on the status (AbleToScale SucceededGetScale first).
  std::vector<Condition> conditions;
  std::vector<HpaEvent> events;
};

// Whether decide() will look at the pod metrics (so the caller fetches them only then).
bool needsMetrics(const HpaSpec& spec, int32_t currentReplicas);

// Decides one reconciliation. Records the recommendation in `history` (the caller calls
// storeScaleEvent() once the scale write succeeded).
HpaDecision decide(const HpaInput& input, const AlgorithmOptions& options, HpaHistory& history);

}  // namespace berth::controllers::hpa
