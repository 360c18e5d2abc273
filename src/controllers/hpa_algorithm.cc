#include "controllers/hpa_algorithm.h"

#include <fmt/format.h>

#include "api/selector.h"

namespace berth::controllers::hpa {
namespace {

using nlohmann::json;

// The outcome of one metric: a proposal or the failure's condition and error.
struct MetricOutcome {
  bool ok = false;
  int32_t replicas = 0;
  std::string name;  // "cpu resource utilization (percentage of request)"
  json status;       // the MetricStatus
  Condition condition;
  std::string error;
};

MetricOutcome failure(HpaDecision& decision, const std::string& reason, const std::string& message,
                      const std::string& error) {
  // Kubernetes' getUnableComputeReplicaCountCondition: an event and the condition to set if
  // every metric fails.
  decision.events.push_back({"Warning", reason, message});
  MetricOutcome out;
  out.condition = {"ScalingActive", "False", reason,
                   "the HPA was unable to compute the replica count: " + message};
  out.error = error;
  return out;
}

MetricOutcome resourceMetric(const HpaInput& in, const MetricSpec& metric,
                             const std::vector<PodSample>& pods, const AlgorithmOptions& options,
                             HpaDecision& decision) {
  const std::string& resource = metric.resourceName;
  const bool byValue = metric.averageValueMilli.has_value();
  Result<ResourceProposal> proposal =
      in.podMetrics ? resourceReplicas(in.currentReplicas, metric, pods, *in.podMetrics, in.now,
                                       options.calculator)
                    : Result<ResourceProposal>(fail(ErrorCode::kUnavailable,
                                                    "unable to get metrics for resource {}: {}",
                                                    resource, in.podMetrics.error().message()));
  if (!proposal) {
    std::string message =
        fmt::format("failed to get {} {}: {}", resource, byValue ? "usage" : "utilization",
                    proposal.error().message());
    return failure(decision, "FailedGetResourceMetric", message,
                   fmt::format("failed to get {} resource metric value: {}", resource, message));
  }
  MetricOutcome out;
  out.ok = true;
  out.replicas = proposal->replicas;
  json current = {{"averageValue", milliQuantityString(proposal->averageValueMilli)}};
  if (byValue) {
    out.name = resource + " resource";
  } else {
    out.name = resource + " resource utilization (percentage of request)";
    current["averageUtilization"] = *proposal->averageUtilization;
  }
  out.status = {{"type", "Resource"}, {"resource", {{"name", resource}, {"current", current}}}};
  return out;
}

MetricOutcome computeMetric(const HpaInput& in, const MetricSpec& metric,
                            const std::vector<PodSample>& pods, const AlgorithmOptions& options,
                            HpaDecision& decision) {
  if (metric.type == "Resource") {
    return resourceMetric(in, metric, pods, options, decision);
  }
  // Berth serves no custom or external metrics API and no per-container metrics.
  static const std::map<std::string, std::string> kReasons = {
      {"ContainerResource", "FailedGetContainerResourceMetric"},
      {"Pods", "FailedGetPodsMetric"},
      {"Object", "FailedGetObjectMetric"},
      {"External", "FailedGetExternalMetric"}};
  auto reason = kReasons.find(metric.type);
  if (reason == kReasons.end()) {
    std::string message = fmt::format("unknown metric source type \"{}\"", metric.type);
    return failure(decision, "InvalidMetricSourceType", message, message);
  }
  std::string message = fmt::format(
      "{} metrics are not supported: Berth serves only the resource metrics API", metric.type);
  return failure(decision, reason->second, message, message);
}

std::vector<PodSample> selectPods(const std::vector<PodSample>& pods,
                                  const api::LabelSelector& selector) {
  std::vector<PodSample> out;
  for (const PodSample& pod : pods) {
    if (selector.matches(pod.labels)) {
      out.push_back(pod);
    }
  }
  return out;
}

// computeReplicasForMetrics: false when the metrics gave no usable proposal.
bool computeReplicasForMetrics(const HpaInput& in, const AlgorithmOptions& options,
                               HpaDecision& decision, int32_t& replicas, std::string& metricName) {
  if (in.selector.empty()) {
    decision.events.push_back({"Warning", "SelectorRequired", "selector is required"});
    decision.conditions.push_back({"ScalingActive", "False", "InvalidSelector",
                                   "the HPA target's scale is missing a selector"});
    decision.error = "selector is required";
    return false;
  }
  auto selector = api::LabelSelector::parse(in.selector);
  if (!selector) {
    std::string message =
        "couldn't convert selector into a corresponding internal selector object: " +
        selector.error().message();
    decision.events.push_back({"Warning", "InvalidSelector", message});
    decision.conditions.push_back({"ScalingActive", "False", "InvalidSelector", message});
    decision.error = message;
    return false;
  }
  std::vector<PodSample> pods = selectPods(in.pods, *selector);
  const auto& specs = in.spec->metrics;
  std::vector<json> statuses(specs.size(), json{{"type", ""}});
  size_t invalid = 0;
  size_t lastValid = 0;  // statuses after the last computed one are left out
  MetricOutcome firstFailure;
  replicas = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    MetricOutcome outcome = computeMetric(in, specs[i], pods, options, decision);
    if (!outcome.ok) {
      if (invalid++ == 0) {
        firstFailure = outcome;
      }
      continue;
    }
    statuses[i] = outcome.status;
    lastValid = i + 1;
    if (replicas == 0 || outcome.replicas > replicas) {
      replicas = outcome.replicas;
      metricName = outcome.name;
    }
  }
  statuses.resize(lastValid);
  decision.currentMetrics = json(statuses);
  if (invalid > 0) {
    decision.error = fmt::format("invalid metrics ({} invalid out of {}), first error is: {}",
                                 invalid, specs.size(), firstFailure.error);
  }
  if (invalid >= specs.size() || (invalid > 0 && replicas < in.currentReplicas)) {
    decision.conditions.push_back(firstFailure.condition);
    return false;
  }
  decision.conditions.push_back(
      {"ScalingActive", "True", "ValidMetricFound",
       "the HPA was able to successfully calculate a replica count from " + metricName});
  return true;
}

}  // namespace

bool needsMetrics(const HpaSpec& spec, int32_t currentReplicas) {
  return !(currentReplicas == 0 && spec.minReplicas != 0) && currentReplicas <= spec.maxReplicas &&
         currentReplicas >= spec.minReplicas;
}

HpaDecision decide(const HpaInput& in, const AlgorithmOptions& options, HpaHistory& history) {
  const HpaSpec& spec = *in.spec;
  const int32_t current = in.currentReplicas;
  HpaDecision decision;
  decision.conditions.push_back({"AbleToScale", "True", "SucceededGetScale",
                                 "the HPA controller was able to get the target's current scale"});
  recordInitialRecommendation(history, current, in.now);

  int32_t desired = 0;
  bool rescale = true;
  if (current == 0 && spec.minReplicas != 0) {
    rescale = false;
    decision.conditions.push_back({"ScalingActive", "False", "ScalingDisabled",
                                   "scaling is disabled since the replica count of the target "
                                   "is zero"});
  } else if (current > spec.maxReplicas) {
    decision.rescaleReason = "Current number of replicas above Spec.MaxReplicas";
    desired = spec.maxReplicas;
  } else if (current < spec.minReplicas) {
    decision.rescaleReason = "Current number of replicas below Spec.MinReplicas";
    desired = spec.minReplicas;
  } else {
    int32_t metricReplicas = 0;
    std::string metricName;
    if (!computeReplicasForMetrics(in, options, decision, metricReplicas, metricName)) {
      decision.failed = true;
      decision.events.push_back({"Warning", "FailedComputeMetricsReplicas", decision.error});
      decision.desiredReplicas = current;
      return decision;
    }
    std::string rescaleMetric;
    if (metricReplicas > desired) {
      desired = metricReplicas;
      rescaleMetric = metricName;
    }
    if (desired > current) {
      decision.rescaleReason = rescaleMetric + " above target";
    } else if (desired < current) {
      decision.rescaleReason = "All metrics below target";
    }
    Normalized normalized = normalizeDesiredReplicas(spec, history, current, desired,
                                                     options.downscaleStabilizationWindow, in.now);
    decision.conditions.push_back(normalized.ableToScale);
    decision.conditions.push_back(normalized.scalingLimited);
    desired = normalized.replicas;
    rescale = desired != current;
  }
  decision.rescale = rescale;
  decision.desiredReplicas = rescale ? desired : current;
  return decision;
}

}  // namespace berth::controllers::hpa
