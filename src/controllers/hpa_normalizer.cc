#include "controllers/hpa_normalizer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace berth::controllers::hpa {
namespace {

using std::chrono::seconds;

constexpr const char* kReady = "recommended size matches current size";
constexpr const char* kWithinRange = "the desired count is within the acceptable range";
constexpr const char* kTooMany = "the desired replica count is more than the maximum replica count";
constexpr const char* kTooFew = "the desired replica count is less than the minimum replica count";
constexpr const char* kUpLimit =
    "the desired replica count is increasing faster than the maximum scale rate";
constexpr const char* kDownLimit =
    "the desired replica count is decreasing faster than the maximum scale rate";

struct Limited {
  int32_t replicas;
  std::string reason;
  std::string message;
};

// Records `recommendation` at `now`, reusing the slot of a sample older than both cutoffs.
void recordRecommendation(HpaHistory& history, int32_t recommendation, Clock::WallTime now,
                          Clock::WallTime obsoleteBefore) {
  for (auto& rec : history.recommendations) {
    if (rec.at < obsoleteBefore) {
      rec = {recommendation, now};
      return;
    }
  }
  history.recommendations.push_back({recommendation, now});
}

// Sum of the changes recorded within the last `periodSeconds`.
int32_t changesInPeriod(int32_t periodSeconds, const std::vector<ScaleEvent>& events,
                        Clock::WallTime now) {
  Clock::WallTime cutoff = now - seconds(periodSeconds);
  int32_t sum = 0;
  for (const ScaleEvent& e : events) {
    if (e.at > cutoff) {
      sum += e.change;
    }
  }
  return sum;
}

int32_t scaleUpLimit(int32_t current, const HpaHistory& h, const ScalingRules& rules,
                     Clock::WallTime now) {
  if (rules.selectPolicy == SelectPolicy::kDisabled) {
    return current;
  }
  const bool min = rules.selectPolicy == SelectPolicy::kMin;
  int32_t result = min ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int32_t>::min();
  for (const ScalingPolicy& p : rules.policies) {
    int32_t periodStart = current - changesInPeriod(p.periodSeconds, h.scaleUpEvents, now) +
                          changesInPeriod(p.periodSeconds, h.scaleDownEvents, now);
    int32_t proposed = p.type == ScalingPolicy::Type::kPods
                           ? periodStart + p.value
                           : static_cast<int32_t>(
                                 std::ceil(periodStart * (1 + static_cast<double>(p.value) / 100)));
    result = min ? std::min(result, proposed) : std::max(result, proposed);
  }
  return result;
}

int32_t scaleDownLimit(int32_t current, const HpaHistory& h, const ScalingRules& rules,
                       Clock::WallTime now) {
  if (rules.selectPolicy == SelectPolicy::kDisabled) {
    return current;
  }
  const bool min = rules.selectPolicy == SelectPolicy::kMin;
  int32_t result = min ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max();
  for (const ScalingPolicy& p : rules.policies) {
    int32_t periodStart = current - changesInPeriod(p.periodSeconds, h.scaleUpEvents, now) +
                          changesInPeriod(p.periodSeconds, h.scaleDownEvents, now);
    int32_t proposed =
        p.type == ScalingPolicy::Type::kPods
            ? periodStart - p.value
            : static_cast<int32_t>(periodStart * (1 - static_cast<double>(p.value) / 100));
    // For a scale-down the smallest change (Min) is the highest count.
    result = min ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

Limited limitWithBehavior(const HpaSpec& spec, const HpaHistory& h, int32_t current,
                          int32_t desired, Clock::WallTime now) {
  const Behavior& b = *spec.behavior;
  if (desired > current) {
    int32_t limit = std::max(scaleUpLimit(current, h, b.scaleUp, now), current);
    Limited bound = spec.maxReplicas > limit
                        ? Limited{limit, "ScaleUpLimit", kUpLimit}
                        : Limited{spec.maxReplicas, "TooManyReplicas", kTooMany};
    if (desired > bound.replicas) {
      return bound;
    }
  } else if (desired < current) {
    int32_t limit = std::min(scaleDownLimit(current, h, b.scaleDown, now), current);
    Limited bound = spec.minReplicas < limit ? Limited{limit, "ScaleDownLimit", kDownLimit}
                                             : Limited{spec.minReplicas, "TooFewReplicas", kTooFew};
    if (desired < bound.replicas) {
      return bound;
    }
  }
  return {desired, "DesiredWithinRange", kWithinRange};
}

Limited limitWithRules(const HpaSpec& spec, int32_t current, int32_t desired) {
  // Do not scale up too fast on one bogus reading (Kubernetes issue #32304).
  auto upLimit = static_cast<int32_t>(std::max(2.0 * current, 4.0));
  Limited max = spec.maxReplicas > upLimit ? Limited{upLimit, "ScaleUpLimit", kUpLimit}
                                           : Limited{spec.maxReplicas, "TooManyReplicas", kTooMany};
  if (desired < spec.minReplicas) {
    return {spec.minReplicas, "TooFewReplicas", kTooFew};
  }
  if (desired > max.replicas) {
    return max;
  }
  return {desired, "DesiredWithinRange", kWithinRange};
}

Condition ableToScale(const std::string& reason, const std::string& message) {
  return {"AbleToScale", "True", reason, message};
}

Condition scalingLimited(const Limited& l, int32_t stabilized) {
  return {"ScalingLimited", l.replicas == stabilized ? "False" : "True", l.reason, l.message};
}

}  // namespace

void recordInitialRecommendation(HpaHistory& history, int32_t currentReplicas,
                                 Clock::WallTime now) {
  if (history.recommendations.empty()) {
    history.recommendations.push_back({currentReplicas, now});
  }
}

Normalized normalizeDesiredReplicas(const HpaSpec& spec, HpaHistory& history, int32_t current,
                                    int32_t desired, seconds downscaleWindow, Clock::WallTime now) {
  Normalized out;
  int32_t stabilized = desired;
  if (!spec.behavior) {
    // The highest recommendation within the downscale window.
    Clock::WallTime cutoff = now - downscaleWindow;
    for (const auto& rec : history.recommendations) {
      if (rec.at > cutoff) {
        stabilized = std::max(stabilized, rec.replicas);
      }
    }
    recordRecommendation(history, desired, now, cutoff);
    out.ableToScale = stabilized != desired
                          ? ableToScale("ScaleDownStabilized",
                                        "recent recommendations were higher than current one, "
                                        "applying the highest recent recommendation")
                          : ableToScale("ReadyForNewScale", kReady);
    Limited limited = limitWithRules(spec, current, stabilized);
    out.replicas = limited.replicas;
    out.scalingLimited = scalingLimited(limited, stabilized);
    return out;
  }

  const Behavior& b = *spec.behavior;
  Clock::WallTime upCutoff = now - seconds(b.scaleUp.stabilizationWindowSeconds);
  Clock::WallTime downCutoff = now - seconds(b.scaleDown.stabilizationWindowSeconds);
  int32_t up = desired;    // lowest recommendation of the scale-up window
  int32_t down = desired;  // highest recommendation of the scale-down window
  for (const auto& rec : history.recommendations) {
    if (rec.at > upCutoff) {
      up = std::min(up, rec.replicas);
    }
    if (rec.at > downCutoff) {
      down = std::max(down, rec.replicas);
    }
  }
  stabilized = std::min(std::max(current, up), down);
  recordRecommendation(history, desired, now, std::min(upCutoff, downCutoff));
  if (stabilized != desired) {
    out.ableToScale =
        desired >= current
            ? ableToScale("ScaleUpStabilized",
                          "recent recommendations were lower than current one, applying the "
                          "lowest recent recommendation")
            : ableToScale("ScaleDownStabilized",
                          "recent recommendations were higher than current one, applying the "
                          "highest recent recommendation");
  } else {
    out.ableToScale = ableToScale("ReadyForNewScale", kReady);
  }
  Limited limited = limitWithBehavior(spec, history, current, stabilized, now);
  out.replicas = limited.replicas;
  out.scalingLimited = scalingLimited(limited, stabilized);
  return out;
}

void storeScaleEvent(const HpaSpec& spec, HpaHistory& history, int32_t previous, int32_t next,
                     Clock::WallTime now) {
  if (!spec.behavior || previous == next) {
    return;
  }
  const bool up = next > previous;
  const ScalingRules& rules = up ? spec.behavior->scaleUp : spec.behavior->scaleDown;
  std::vector<ScaleEvent>& events = up ? history.scaleUpEvents : history.scaleDownEvents;
  int32_t longest = 0;
  for (const ScalingPolicy& p : rules.policies) {
    longest = std::max(longest, p.periodSeconds);
  }
  Clock::WallTime cutoff = now - seconds(longest);
  ScaleEvent event{up ? next - previous : previous - next, now, false};
  ScaleEvent* slot = nullptr;
  for (ScaleEvent& e : events) {
    if (e.at < cutoff) {
      e.outdated = true;
    }
    if (e.outdated) {
      slot = &e;  // the last outdated one is reused, as Kubernetes does
    }
  }
  if (slot != nullptr) {
    *slot = event;
  } else {
    events.push_back(event);
  }
}

}  // namespace berth::controllers::hpa
