#include "controllers/hpa_normalizer.h"

#include <gtest/gtest.h>

#include "unit/controllers/hpa_test_support.h"

namespace berth::controllers::hpa {
namespace {

using namespace testing;

constexpr std::chrono::seconds kWindow{300};

Normalized normalize(const HpaSpec& s, HpaHistory& h, int32_t current, int32_t desired,
                     Clock::WallTime now = kNow) {
  return normalizeDesiredReplicas(s, h, current, desired, kWindow, now);
}

TEST(HpaNormalizer, WithinRange) {
  HpaHistory h;
  auto n = normalize(spec(1, 10, {}), h, 3, 5);
  EXPECT_EQ(n.replicas, 5);
  EXPECT_EQ(n.ableToScale, (Condition{"AbleToScale", "True", "ReadyForNewScale",
                                      "recommended size matches current size"}));
  EXPECT_EQ(n.scalingLimited, (Condition{"ScalingLimited", "False", "DesiredWithinRange",
                                         "the desired count is within the acceptable range"}));
}

TEST(HpaNormalizer, ClampsToMaxAndMin) {
  HpaHistory h;
  auto high = normalize(spec(1, 10, {}), h, 8, 20);
  EXPECT_EQ(high.replicas, 10);
  EXPECT_EQ(high.scalingLimited.status, "True");
  EXPECT_EQ(high.scalingLimited.reason, "TooManyReplicas");
  EXPECT_EQ(high.scalingLimited.message,
            "the desired replica count is more than the maximum replica count");

  HpaHistory h2;
  HpaSpec s = spec(2, 10, {});
  s.behavior = defaultBehavior(0);
  auto low = normalize(s, h2, 3, 1);
  EXPECT_EQ(low.replicas, 2);
  EXPECT_EQ(low.scalingLimited.status, "True");
  EXPECT_EQ(low.scalingLimited.reason, "TooFewReplicas");

  HpaHistory h3;
  auto lowClassic = normalize(spec(2, 10, {}), h3, 2, 1);
  EXPECT_EQ(lowClassic.replicas, 2);
  EXPECT_EQ(lowClassic.scalingLimited.reason, "TooFewReplicas");
}

TEST(HpaNormalizer, ClassicScaleUpLimitIsTwiceCurrentOrFour) {
  HpaHistory h;
  auto n = normalize(spec(1, 100, {}), h, 1, 10);
  EXPECT_EQ(n.replicas, 4);
  EXPECT_EQ(n.scalingLimited.reason, "ScaleUpLimit");
  HpaHistory h2;
  EXPECT_EQ(normalize(spec(1, 100, {}), h2, 5, 30).replicas, 10);
}

TEST(HpaNormalizer, DefaultDownscaleStabilizationKeepsTheHighestRecentRecommendation) {
  HpaSpec s = spec(1, 20, {});
  HpaHistory h;
  recordInitialRecommendation(h, 10, kNow);
  auto n = normalize(s, h, 10, 4, kNow + 60s);
  EXPECT_EQ(n.replicas, 10);
  EXPECT_EQ(n.ableToScale.reason, "ScaleDownStabilized");
  // Still within 300 s of the first recommendation.
  EXPECT_EQ(normalize(s, h, 10, 3, kNow + 299s).replicas, 10);
  // The 10 left the window; the 4 (at +60 s) is still in it.
  EXPECT_EQ(normalize(s, h, 10, 2, kNow + 301s).replicas, 4);
  // Everything older than 300 s is out: the lowest recent ones win.
  EXPECT_EQ(normalize(s, h, 10, 2, kNow + 700s).replicas, 2);
}

TEST(HpaNormalizer, BehaviorScaleDownStabilizationWindow) {
  HpaSpec s = spec(1, 20, {});
  s.behavior = defaultBehavior(60);
  HpaHistory h;
  recordInitialRecommendation(h, 8, kNow);
  auto n = normalize(s, h, 8, 3, kNow + 30s);
  EXPECT_EQ(n.replicas, 8);
  EXPECT_EQ(n.ableToScale.reason, "ScaleDownStabilized");
  auto later = normalize(s, h, 8, 3, kNow + 61s);
  EXPECT_EQ(later.replicas, 3);
  EXPECT_EQ(later.ableToScale.reason, "ReadyForNewScale");
}

TEST(HpaNormalizer, BehaviorScaleUpStabilizationWindow) {
  HpaSpec s = spec(1, 20, {});
  s.behavior = defaultBehavior();
  s.behavior->scaleUp.stabilizationWindowSeconds = 60;
  HpaHistory h;
  recordInitialRecommendation(h, 3, kNow);
  auto n = normalize(s, h, 3, 6, kNow + 30s);
  EXPECT_EQ(n.replicas, 3);
  EXPECT_EQ(n.ableToScale.reason, "ScaleUpStabilized");
  // Once the 3 left the window the lowest recent recommendation is the 6 of +30 s.
  EXPECT_EQ(normalize(s, h, 3, 8, kNow + 61s).replicas, 6);
}

TEST(HpaNormalizer, ScaleUpPoliciesFourPodsOrDoublePerFifteenSeconds) {
  HpaSpec s = spec(1, 100, {});
  s.behavior = defaultBehavior();
  HpaHistory h;
  auto first = normalize(s, h, 3, 20, kNow);
  EXPECT_EQ(first.replicas, 7);  // max(3 + 4, 3 x 2)
  EXPECT_EQ(first.scalingLimited.reason, "ScaleUpLimit");
  EXPECT_EQ(first.scalingLimited.status, "True");
  storeScaleEvent(s, h, 3, 7, kNow);
  // Within the same 15 s the period started at 3: no more than 7.
  EXPECT_EQ(normalize(s, h, 7, 20, kNow + 5s).replicas, 7);
  // A new period starts from 7: max(11, 14).
  auto next = normalize(s, h, 7, 20, kNow + 16s);
  EXPECT_EQ(next.replicas, 14);
  storeScaleEvent(s, h, 7, 14, kNow + 16s);
  EXPECT_EQ(normalize(s, h, 14, 20, kNow + 32s).replicas, 20);
}

TEST(HpaNormalizer, SelectPolicyMinTakesTheSmallestChange) {
  HpaSpec s = spec(1, 100, {});
  s.behavior = defaultBehavior();
  s.behavior->scaleUp.selectPolicy = SelectPolicy::kMin;
  HpaHistory h;
  EXPECT_EQ(normalize(s, h, 3, 20).replicas, 6);  // min(3 + 4, 3 x 2)
  HpaHistory h2;
  EXPECT_EQ(normalize(s, h2, 10, 40).replicas, 14);  // min(10 + 4, 10 x 2)
}

TEST(HpaNormalizer, SelectPolicyDisabledForbidsThatDirection) {
  HpaSpec s = spec(1, 100, {});
  s.behavior = defaultBehavior(0);
  s.behavior->scaleDown.selectPolicy = SelectPolicy::kDisabled;
  HpaHistory h;
  auto down = normalize(s, h, 10, 2);
  EXPECT_EQ(down.replicas, 10);
  EXPECT_EQ(down.scalingLimited.reason, "ScaleDownLimit");
  EXPECT_EQ(normalize(s, h, 10, 15).replicas, 15);  // scaling up still works

  s.behavior->scaleUp.selectPolicy = SelectPolicy::kDisabled;
  HpaHistory h2;
  EXPECT_EQ(normalize(s, h2, 10, 15).replicas, 10);
}

TEST(HpaNormalizer, ScaleDownPercentPolicyPerPeriod) {
  HpaSpec s = spec(1, 100, {});
  s.behavior = defaultBehavior(0);
  s.behavior->scaleDown.policies = {{ScalingPolicy::Type::kPercent, 50, 60}};
  HpaHistory h;
  auto first = normalize(s, h, 10, 1, kNow);
  EXPECT_EQ(first.replicas, 5);
  EXPECT_EQ(first.scalingLimited.reason, "ScaleDownLimit");
  storeScaleEvent(s, h, 10, 5, kNow);
  // Within the 60 s period the count started at 10: 5 is already the limit.
  EXPECT_EQ(normalize(s, h, 5, 1, kNow + 30s).replicas, 5);
  EXPECT_EQ(normalize(s, h, 5, 1, kNow + 61s).replicas, 2);  // int(5 x 0.5)
}

TEST(HpaNormalizer, ScaleEventsReuseOutdatedSlots) {
  HpaSpec s = spec(1, 100, {});
  s.behavior = defaultBehavior();
  HpaHistory h;
  storeScaleEvent(s, h, 1, 2, kNow);
  storeScaleEvent(s, h, 2, 3, kNow + 1s);
  storeScaleEvent(s, h, 3, 4, kNow + 60s);  // both earlier ones are older than 15 s
  EXPECT_EQ(h.scaleUpEvents.size(), 2u);
  storeScaleEvent(spec(1, 100, {}), h, 4, 8, kNow + 61s);  // no behavior: not recorded
  EXPECT_EQ(h.scaleUpEvents.size(), 2u);
}

}  // namespace
}  // namespace berth::controllers::hpa
