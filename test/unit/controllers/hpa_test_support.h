#pragma once

// Builders for the HPA algorithm tests: pods, pod metrics and specs with readable defaults
// (a Running, Ready pod started an hour ago with one container requesting 1 cpu and 1Gi).

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "controllers/hpa_types.h"

namespace berth::controllers::hpa::testing {

using namespace std::chrono_literals;

inline const Clock::WallTime kNow = std::chrono::system_clock::from_time_t(1700000000);

inline PodSample readyPod(const std::string& name, int64_t cpuRequestMilli = 1000,
                          int64_t memoryRequestMilli = int64_t{1} << 40) {
  PodSample pod;
  pod.name = name;
  pod.labels = {{"app", "web"}};
  pod.phase = "Running";
  pod.startTime = kNow - 1h;
  pod.ready = true;
  pod.readyTransition = kNow - 1h + 10s;
  pod.containers.push_back({"app", {{"cpu", cpuRequestMilli}, {"memory", memoryRequestMilli}}});
  return pod;
}

inline PodSample pendingPod(const std::string& name) {
  PodSample pod = readyPod(name);
  pod.phase = "Pending";
  pod.ready = false;
  pod.startTime.reset();
  return pod;
}

inline PodMetricsSample usage(const std::string& name, int64_t cpuMilli, int64_t memoryMilli = 0) {
  PodMetricsSample m;
  m.name = name;
  m.timestamp = kNow - 5s;
  m.window = 15s;
  m.containers.push_back({"app", {{"cpu", cpuMilli}, {"memory", memoryMilli}}});
  return m;
}

inline MetricSpec cpuUtilization(int32_t percent) {
  return {"Resource", "cpu", percent, std::nullopt};
}

inline MetricSpec memoryAverage(int64_t milli) {
  return {"Resource", "memory", std::nullopt, milli};
}

inline HpaSpec spec(int32_t min, int32_t max, std::vector<MetricSpec> metrics) {
  HpaSpec s;
  s.targetApiVersion = "apps/v1";
  s.targetKind = "Deployment";
  s.targetName = "web";
  s.minReplicas = min;
  s.maxReplicas = max;
  s.metrics = std::move(metrics);
  return s;
}

inline Behavior defaultBehavior(int32_t downWindow = 300) {
  Behavior b;
  b.scaleUp = {0,
               SelectPolicy::kMax,
               {{ScalingPolicy::Type::kPods, 4, 15}, {ScalingPolicy::Type::kPercent, 100, 15}}};
  b.scaleDown = {downWindow, SelectPolicy::kMax, {{ScalingPolicy::Type::kPercent, 100, 15}}};
  return b;
}

inline constexpr int64_t kMi = int64_t{1} << 20;

}  // namespace berth::controllers::hpa::testing
