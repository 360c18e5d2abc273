#pragma once

// The inputs of the horizontal pod autoscaler's algorithm, parsed from their JSON objects: an
// autoscaling/v2 HorizontalPodAutoscaler spec (with the defaults Kubernetes applies), the pods
// the target's selector matches and their metrics.k8s.io/v1beta1 PodMetrics. Quantities are
// kept as milli-units (cpu "250m" -> 250, memory "1Mi" -> 1048576000), as Kubernetes'
// replica calculator works on MilliValue()s. Pure functions, thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/error.h"

namespace berth::controllers::hpa {

using nlohmann::json;

// One entry of spec.metrics. Only "Resource" metrics can be computed (there is no custom or
// external metrics API); the others are kept so that the controller reports them as failing.
struct MetricSpec {
  std::string type;          // "Resource", "ContainerResource", "Pods", "Object", "External"
  std::string resourceName;  // Resource: "cpu", "memory"
  // target: averageValue wins over averageUtilization, as in Kubernetes.
  std::optional<int32_t> averageUtilization;  // percent of the pods' requests
  std::optional<int64_t> averageValueMilli;   // per-pod usage
};

enum class SelectPolicy { kMax, kMin, kDisabled };

struct ScalingPolicy {
  enum class Type { kPods, kPercent };
  Type type = Type::kPods;
  int32_t value = 0;
  int32_t periodSeconds = 0;
};

// spec.behavior.scaleUp / scaleDown, defaults filled.
struct ScalingRules {
  int32_t stabilizationWindowSeconds = 0;
  SelectPolicy selectPolicy = SelectPolicy::kMax;
  std::vector<ScalingPolicy> policies;
};

struct Behavior {
  ScalingRules scaleUp;
  ScalingRules scaleDown;
};

struct HpaSpec {
  std::string targetApiVersion;  // scaleTargetRef: "apps/v1"
  std::string targetKind;        // "Deployment"
  std::string targetName;
  int32_t minReplicas = 1;
  int32_t maxReplicas = 0;
  std::vector<MetricSpec> metrics;
  // Absent when the HPA has no spec.behavior: the controller then uses the default
  // downscale stabilization and the classic scale-up limit (max(2 x current, 4)).
  std::optional<Behavior> behavior;
};

// Parses an autoscaling/v2 HPA's spec with Kubernetes' defaults: minReplicas 1; no metrics ->
// cpu at 80% utilization; a behavior's missing scaleUp -> stabilization 0, Max of {4 pods,
// 100%} per 15 s; missing scaleDown -> Max of {100%} per 15 s; a missing scaleDown
// stabilization window -> `defaultDownscaleWindow`. kInvalidArgument naming the field when the
// spec is unusable (no scaleTargetRef name, a bad quantity).
Result<HpaSpec> parseHpaSpec(const json& spec, std::chrono::seconds defaultDownscaleWindow);

// What the algorithm needs of a pod.
struct PodSample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string phase;      // status.phase ("" counts as Pending)
  bool deleting = false;  // metadata.deletionTimestamp set
  std::optional<Clock::WallTime> startTime;
  // The Ready condition: nullopt when the pod has none.
  std::optional<bool> ready;
  Clock::WallTime readyTransition{};
  // Per container (and restartable init container): resource name -> request in milli-units;
  // a resource without a request is absent.
  struct Container {
    std::string name;
    std::map<std::string, int64_t> requestsMilli;
  };
  std::vector<Container> containers;
};

PodSample parsePod(const json& pod);

// One PodMetrics item: per container usage in milli-units.
struct PodMetricsSample {
  std::string name;
  Clock::WallTime timestamp{};
  std::chrono::milliseconds window{0};
  struct Container {
    std::string name;
    std::map<std::string, int64_t> usageMilli;
  };
  std::vector<Container> containers;
};

// kInvalidArgument for an item without a name or with a bad usage quantity.
Result<PodMetricsSample> parsePodMetrics(const json& item);

// RFC 3339 with optional fraction and offset ("2024-01-02T03:04:05.5Z"); nullopt if malformed.
std::optional<Clock::WallTime> parseTime(std::string_view text);
// A Go duration as metrics-server writes "window": "15s", "1m0s", "500ms", "1.5s".
std::optional<std::chrono::milliseconds> parseGoDuration(std::string_view text);

// A milli-value as Kubernetes prints resource.NewMilliQuantity(v, DecimalSI): 250 -> "250m",
// 2000 -> "2", 104857600000 -> "104857600".
std::string milliQuantityString(int64_t milli);

}  // namespace berth::controllers::hpa
