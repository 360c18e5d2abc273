#include "controllers/hpa_replica_calculator.h"

#include <gtest/gtest.h>

#include "unit/controllers/hpa_test_support.h"

namespace berth::controllers::hpa {
namespace {

using namespace testing;

CalculatorOptions options() {
  return {0.1, std::chrono::seconds(300), std::chrono::seconds(30)};
}

Result<ResourceProposal> calc(int32_t current, const MetricSpec& metric,
                              const std::vector<PodSample>& pods,
                              const std::vector<PodMetricsSample>& metrics) {
  return resourceReplicas(current, metric, pods, metrics, kNow, options());
}

TEST(HpaReplicaCalculator, ScalesUpByCeilOfRatioTimesReadyPods) {
  auto r = calc(3, cpuUtilization(50), {readyPod("a"), readyPod("b"), readyPod("c")},
                {usage("a", 900), usage("b", 900), usage("c", 900)});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->replicas, 6);  // 90% / 50% = 1.8 -> ceil(5.4)
  EXPECT_EQ(r->averageUtilization, 90);
  EXPECT_EQ(r->averageValueMilli, 900);
}

TEST(HpaReplicaCalculator, ScalesDown) {
  auto r = calc(4, cpuUtilization(50), {readyPod("a"), readyPod("b"), readyPod("c"), readyPod("d")},
                {usage("a", 100), usage("b", 100), usage("c", 200), usage("d", 200)});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->replicas, 2);  // 15% / 50% = 0.3 -> ceil(1.2)
  EXPECT_EQ(r->averageUtilization, 15);
}

TEST(HpaReplicaCalculator, NoChangeWithinTolerance) {
  std::vector<PodSample> pods = {readyPod("a"), readyPod("b"), readyPod("c")};
  auto within =
      calc(3, cpuUtilization(50), pods, {usage("a", 540), usage("b", 540), usage("c", 540)});
  ASSERT_TRUE(within);
  EXPECT_EQ(within->replicas, 3);  // ratio 1.08
  auto beyond =
      calc(3, cpuUtilization(50), pods, {usage("a", 560), usage("b", 560), usage("c", 560)});
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->replicas, 4);  // ratio 1.12 -> ceil(3.36)
  auto below =
      calc(3, cpuUtilization(50), pods, {usage("a", 460), usage("b", 460), usage("c", 460)});
  ASSERT_TRUE(below);
  EXPECT_EQ(below->replicas, 3);  // ratio 0.92
}

TEST(HpaReplicaCalculator, MissingMetricsCountAsZeroOnScaleUp) {
  auto r = calc(4, cpuUtilization(50), {readyPod("a"), readyPod("b"), readyPod("c"), readyPod("d")},
                {usage("a", 1000), usage("b", 1000), usage("c", 1000)});
  ASSERT_TRUE(r);
  // 100% -> ratio 2; with d at 0: 3000/4000 = 75% -> 1.5 -> ceil(6.0).
  EXPECT_EQ(r->replicas, 6);
  EXPECT_EQ(r->averageUtilization, 100);
}

TEST(HpaReplicaCalculator, MissingMetricsThatReverseAScaleUpKeepTheCount) {
  auto r = calc(4, cpuUtilization(50), {readyPod("a"), readyPod("b"), readyPod("c"), readyPod("d")},
                {usage("a", 800), usage("b", 800)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replicas, 4);  // 80% -> 1.6, with two pods at 0: 40% -> 0.8, direction flipped
}

TEST(HpaReplicaCalculator, MissingMetricsCountAsFullRequestOnScaleDown) {
  auto r = calc(4, cpuUtilization(50), {readyPod("a"), readyPod("b"), readyPod("c"), readyPod("d")},
                {usage("a", 100), usage("b", 100), usage("c", 100)});
  ASSERT_TRUE(r);
  // 10% -> 0.2 would give 1; with d at 100%: 1300/4000 = 32% -> 0.64 -> ceil(2.56).
  EXPECT_EQ(r->replicas, 3);
}

TEST(HpaReplicaCalculator, UnreadyPodsCountAsZeroOnScaleUp) {
  auto r = calc(5, cpuUtilization(50),
                {readyPod("a"), readyPod("b"), readyPod("c"), pendingPod("d"), pendingPod("e")},
                {usage("a", 600), usage("b", 600), usage("c", 600)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replicas, 5);  // 60% -> 1.2; with d, e at 0: 36% -> 0.72, direction flipped

  auto up = calc(3, cpuUtilization(50), {readyPod("a"), readyPod("b"), pendingPod("c")},
                 {usage("a", 1500), usage("b", 1500)});
  ASSERT_TRUE(up);
  EXPECT_EQ(up->replicas, 6);  // 150% -> 3; with c at 0: 100% -> 2 -> ceil(6.0)
}

TEST(HpaReplicaCalculator, UnreadyPodsAreLeftOutOnScaleDown) {
  auto r =
      calc(4, cpuUtilization(50), {readyPod("a"), readyPod("b"), readyPod("c"), pendingPod("d")},
           {usage("a", 100), usage("b", 100), usage("c", 100)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replicas, 1);  // 10% -> 0.2 -> ceil(0.6)
}

TEST(HpaReplicaCalculator, CpuSamplesWithinInitializationPeriodAreIgnoredUntilAWindowPassed) {
  PodSample fresh = readyPod("b");
  fresh.startTime = kNow - 60s;
  fresh.readyTransition = kNow - 10s;  // the metric window (15 s, ending 5 s ago) began before
  auto r =
      calc(2, cpuUtilization(50), {readyPod("a"), fresh}, {usage("a", 1000), usage("b", 1000)});
  ASSERT_TRUE(r);
  // a: 100% -> 2; b counts as 0 on the scale-up: 50% -> 1.0, within tolerance.
  EXPECT_EQ(r->replicas, 2);

  fresh.readyTransition = kNow - 40s;  // a whole window after it became ready
  auto counted =
      calc(2, cpuUtilization(50), {readyPod("a"), fresh}, {usage("a", 1000), usage("b", 1000)});
  ASSERT_TRUE(counted);
  EXPECT_EQ(counted->replicas, 4);
}

TEST(HpaReplicaCalculator, PodsThatNeverBecameReadyAreUnready) {
  PodSample never = readyPod("b");
  never.ready = false;
  never.readyTransition = *never.startTime + 5s;  // within the initial readiness delay
  auto r =
      calc(2, cpuUtilization(50), {readyPod("a"), never}, {usage("a", 1000), usage("b", 1000)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replicas, 2);  // b at 0 on the scale-up

  PodSample wasReady = never;
  wasReady.readyTransition = kNow - 5min;  // became unready long after its start: counted
  auto counted =
      calc(2, cpuUtilization(50), {readyPod("a"), wasReady}, {usage("a", 1000), usage("b", 1000)});
  ASSERT_TRUE(counted);
  EXPECT_EQ(counted->replicas, 4);
}

TEST(HpaReplicaCalculator, DeletedAndFailedPodsAreIgnored) {
  PodSample deleting = readyPod("c");
  deleting.deleting = true;
  PodSample failed = readyPod("d");
  failed.phase = "Failed";
  auto r = calc(2, cpuUtilization(50), {readyPod("a"), readyPod("b"), deleting, failed},
                {usage("a", 500), usage("b", 500), usage("c", 2000), usage("d", 2000)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replicas, 2);
  EXPECT_EQ(r->averageUtilization, 50);
}

TEST(HpaReplicaCalculator, MissingRequestIsAnError) {
  PodSample noRequest = readyPod("b");
  noRequest.containers[0].requestsMilli.erase("cpu");
  auto r =
      calc(2, cpuUtilization(50), {readyPod("a"), noRequest}, {usage("a", 500), usage("b", 500)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "missing request for cpu in container app of Pod b");
}

TEST(HpaReplicaCalculator, NoPodsOrNoMetricsAreErrors) {
  auto none = calc(2, cpuUtilization(50), {}, {usage("a", 500)});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "no pods returned by selector while calculating replica count");
  auto unready = calc(2, cpuUtilization(50), {pendingPod("a")}, {usage("a", 500)});
  ASSERT_FALSE(unready);
  EXPECT_EQ(unready.error().message(),
            "did not receive metrics for targeted pods (pods might be unready)");
}

TEST(HpaReplicaCalculator, MemoryAverageValue) {
  std::vector<PodSample> pods = {readyPod("a"), readyPod("b"), readyPod("c")};
  auto r = calc(3, memoryAverage(100 * kMi * 1000), pods,
                {usage("a", 0, 200 * kMi * 1000), usage("b", 0, 200 * kMi * 1000),
                 usage("c", 0, 200 * kMi * 1000)});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->replicas, 6);
  EXPECT_FALSE(r->averageUtilization);
  EXPECT_EQ(r->averageValueMilli, 200 * kMi * 1000);
  EXPECT_EQ(milliQuantityString(r->averageValueMilli), "209715200");

  // A missing pod counts as the target on a scale-down: (50+50+100)/3 Mi = 66.7% -> ceil(2.0).
  auto down = calc(3, memoryAverage(100 * kMi * 1000), pods,
                   {usage("a", 0, 50 * kMi * 1000), usage("b", 0, 50 * kMi * 1000)});
  ASSERT_TRUE(down);
  EXPECT_EQ(down->replicas, 2);
}

TEST(HpaReplicaCalculator, MemoryIgnoresCpuReadinessRules) {
  PodSample fresh = readyPod("b");
  fresh.startTime = kNow - 60s;
  fresh.readyTransition = kNow - 10s;
  auto r = calc(2, memoryAverage(100 * kMi * 1000), {readyPod("a"), fresh},
                {usage("a", 0, 200 * kMi * 1000), usage("b", 0, 200 * kMi * 1000)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replicas, 4);
}

}  // namespace
}  // namespace berth::controllers::hpa
