#pragma once

// HorizontalPodAutoscaler in its two served versions: autoscaling/v2 (the storage version) and
// autoscaling/v1. Conversion follows k8s.io/kubernetes/pkg/apis/autoscaling/v1/conversion.go:
//
//   v1 spec.targetCPUUtilizationPercentage  <->  v2 spec.metrics[{type: Resource, resource:
//       {name: cpu, target: {type: Utilization, averageUtilization: N}}}]
//   v1 status.currentCPUUtilizationPercentage  <->  v2 status.currentMetrics[{type: Resource,
//       resource: {name: cpu, current: {averageUtilization: N}}}]
//
// What v1 cannot express travels in annotations of the v1 object, as Kubernetes does, so that
// v2 -> v1 -> v2 loses nothing: the other metrics (kMetricsAnnotation), status.currentMetrics
// (kCurrentMetricsAnnotation), status.conditions (kConditionsAnnotation) and spec.behavior
// (kBehaviorAnnotation). Berth keeps them in their v2 JSON shape (Kubernetes writes the older
// v2beta1 shape); they are removed again when converting back to v2. A v1 object whose CPU
// target and metric annotation are both absent gets the CPU 80% metric, as in Kubernetes.
// The CPU metric goes first in the v2 list (Kubernetes appends it after the others).
//
// All functions are pure and thread-safe; they accept any JSON and never throw on odd shapes.

#include <nlohmann/json.hpp>
#include <string_view>

namespace berth::apiserver::hpa {

inline constexpr std::string_view kMetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
inline constexpr std::string_view kCurrentMetricsAnnotation =
    "autoscaling.alpha.kubernetes.io/current-metrics";
inline constexpr std::string_view kConditionsAnnotation =
    "autoscaling.alpha.kubernetes.io/conditions";
inline constexpr std::string_view kBehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

// The CPU target that autoscaling applies when no metric is given (DefaultCPUUtilization).
inline constexpr int kDefaultCpuUtilization = 80;

// autoscaling/v2 -> autoscaling/v1 (apiVersion and kind set).
nlohmann::json toV1(const nlohmann::json& v2);
// autoscaling/v1 -> autoscaling/v2 (apiVersion and kind set). No v2 defaults applied.
nlohmann::json toV2(const nlohmann::json& v1);

// autoscaling/v2 defaults (SetDefaults_HorizontalPodAutoscaler, kubernetes 1.32): minReplicas
// 1; no metrics -> CPU Utilization 80; a behavior that is present gets its missing rules and
// rule fields: scaleUp {stabilizationWindowSeconds 0, selectPolicy Max, policies [Pods 4 per
// 15 s, Percent 100 per 15 s]}, scaleDown {selectPolicy Max, policies [Percent 100 per 15 s]}
// (scaleDown's stabilization window stays unset: the controller applies its 300 s default). A
// missing behavior stays missing, as in Kubernetes.
void defaultV2(nlohmann::json& hpa);
// autoscaling/v1 defaults: minReplicas 1.
void defaultV1(nlohmann::json& hpa);

}  // namespace berth::apiserver::hpa
