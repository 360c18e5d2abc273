#pragma once

// Turns the replica count the metrics ask for into the count the autoscaler writes, as
// Kubernetes' HorizontalController does (normalizeDesiredReplicas and
// normalizeDesiredReplicasWithBehaviors):
//
// Without spec.behavior: the recommendation is stabilized over the default downscale window
// (the highest recommendation of the window wins) and clamped to [minReplicas,
// min(maxReplicas, max(2 x current, 4))].
//
// With spec.behavior: stabilized between the lowest recommendation of the scale-up window and
// the highest of the scale-down window (starting from the current count), then limited by the
// scaling policies applied to the replica changes made within each policy's period (Pods: n
// pods, Percent: n% of the count at the period's start; selectPolicy Max takes the largest
// change, Min the smallest, Disabled forbids scaling in that direction), then by min/max.
//
// The history (recommendations and scale events of one HPA) is kept by the caller, one per
// HPA; the functions here read and update it. Not thread-safe for one history.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "controllers/hpa_types.h"

namespace berth::controllers::hpa {

struct Condition {
  std::string type;    // "AbleToScale", "ScalingActive", "ScalingLimited"
  std::string status;  // "True", "False"
  std::string reason;
  std::string message;
  bool operator==(const Condition&) const = default;
};

struct TimedRecommendation {
  int32_t replicas = 0;
  Clock::WallTime at{};
};

struct ScaleEvent {
  int32_t change = 0;  // replicas added (scale-up list) or removed (scale-down list)
  Clock::WallTime at{};
  bool outdated = false;
};

struct HpaHistory {
  std::vector<TimedRecommendation> recommendations;
  std::vector<ScaleEvent> scaleUpEvents;
  std::vector<ScaleEvent> scaleDownEvents;
};

struct Normalized {
  int32_t replicas = 0;
  Condition ableToScale;     // ReadyForNewScale / ScaleUpStabilized / ScaleDownStabilized
  Condition scalingLimited;  // DesiredWithinRange / TooManyReplicas / TooFewReplicas /
                             // ScaleUpLimit / ScaleDownLimit
};

// Records the current count as the first recommendation of a new history.
void recordInitialRecommendation(HpaHistory& history, int32_t currentReplicas, Clock::WallTime now);

// Normalizes `desired` (the metrics' proposal) for an HPA currently at `current` replicas and
// records `desired` as a recommendation.
Normalized normalizeDesiredReplicas(const HpaSpec& spec, HpaHistory& history, int32_t current,
                                    int32_t desired, std::chrono::seconds downscaleWindow,
                                    Clock::WallTime now);

// Records a successful rescale from `previous` to `next` (only when the HPA has a behavior,
// as only the policies read scale events).
void storeScaleEvent(const HpaSpec& spec, HpaHistory& history, int32_t previous, int32_t next,
                     Clock::WallTime now);

}  // namespace berth::controllers::hpa
