#include "controllers/hpa_algorithm.h"

#include <gtest/gtest.h>

#include "unit/controllers/hpa_test_support.h"

namespace berth::controllers::hpa {
namespace {

using namespace testing;
using nlohmann::json;

struct Fixture {
  HpaSpec hpa;
  HpaHistory history;
  AlgorithmOptions options;

  HpaDecision run(int32_t current, std::vector<PodSample> pods,
                  Result<std::vector<PodMetricsSample>> metrics, std::string selector = "app=web") {
    HpaInput in;
    in.spec = &hpa;
    in.currentReplicas = current;
    in.selector = std::move(selector);
    in.pods = std::move(pods);
    in.podMetrics = std::move(metrics);
    in.now = kNow;
    return decide(in, options, history);
  }
};

const Condition* find(const HpaDecision& d, const std::string& type) {
  const Condition* last = nullptr;
  for (const auto& c : d.conditions) {
    if (c.type == type) {
      last = &c;
    }
  }
  return last;
}

bool hasEvent(const HpaDecision& d, const std::string& reason) {
  for (const auto& e : d.events) {
    if (e.reason == reason) {
      return true;
    }
  }
  return false;
}

TEST(HpaAlgorithm, ScalesUpOnCpuAboveTarget) {
  Fixture f{spec(1, 10, {cpuUtilization(50)})};
  auto d =
      f.run(2, {readyPod("a"), readyPod("b")}, std::vector{usage("a", 1000), usage("b", 1000)});
  EXPECT_TRUE(d.rescale);
  EXPECT_FALSE(d.failed);
  EXPECT_EQ(d.desiredReplicas, 4);
  EXPECT_EQ(d.rescaleReason, "cpu resource utilization (percentage of request) above target");
  EXPECT_EQ(d.currentMetrics, json::parse(R"([{"type":"Resource","resource":{"name":"cpu","current":
                          {"averageUtilization":100,"averageValue":"1"}}}])"));
  EXPECT_EQ(*find(d, "AbleToScale"), (Condition{"AbleToScale", "True", "ReadyForNewScale",
                                                "recommended size matches current size"}));
  EXPECT_EQ(*find(d, "ScalingActive"),
            (Condition{"ScalingActive", "True", "ValidMetricFound",
                       "the HPA was able to successfully calculate a replica count from cpu "
                       "resource utilization (percentage of request)"}));
  EXPECT_EQ(find(d, "ScalingLimited")->reason, "DesiredWithinRange");
  EXPECT_TRUE(d.events.empty());
}

TEST(HpaAlgorithm, ScaleDownReasonAndStabilization) {
  Fixture f{spec(1, 10, {cpuUtilization(50)})};
  f.options.downscaleStabilizationWindow = std::chrono::seconds(0);
  auto d = f.run(4, {readyPod("a"), readyPod("b"), readyPod("c"), readyPod("d")},
                 std::vector{usage("a", 100), usage("b", 100), usage("c", 100), usage("d", 100)});
  EXPECT_TRUE(d.rescale);
  EXPECT_EQ(d.desiredReplicas, 1);
  EXPECT_EQ(d.rescaleReason, "All metrics below target");

  Fixture g{spec(1, 10, {cpuUtilization(50)})};  // the default 300 s window
  auto held =
      g.run(4, {readyPod("a"), readyPod("b"), readyPod("c"), readyPod("d")},
            std::vector{usage("a", 100), usage("b", 100), usage("c", 100), usage("d", 100)});
  EXPECT_FALSE(held.rescale);
  EXPECT_EQ(held.desiredReplicas, 4);
  EXPECT_EQ(find(held, "AbleToScale")->reason, "ScaleDownStabilized");
}

TEST(HpaAlgorithm, NoRescaleWithinTolerance) {
  Fixture f{spec(1, 10, {cpuUtilization(50)})};
  auto d = f.run(2, {readyPod("a"), readyPod("b")}, std::vector{usage("a", 520), usage("b", 520)});
  EXPECT_FALSE(d.rescale);
  EXPECT_EQ(d.desiredReplicas, 2);
  EXPECT_EQ(find(d, "ScalingActive")->status, "True");
}

TEST(HpaAlgorithm, BelowMinScalesToMinWithoutMetrics) {
  Fixture f{spec(2, 10, {cpuUtilization(50)})};
  EXPECT_FALSE(needsMetrics(f.hpa, 1));
  auto d = f.run(1, {}, fail(ErrorCode::kUnavailable, "no metrics"));
  EXPECT_TRUE(d.rescale);
  EXPECT_EQ(d.desiredReplicas, 2);
  EXPECT_EQ(d.rescaleReason, "Current number of replicas below Spec.MinReplicas");
  EXPECT_EQ(find(d, "ScalingActive"), nullptr);
  EXPECT_EQ(find(d, "AbleToScale")->reason, "SucceededGetScale");
}

TEST(HpaAlgorithm, AboveMaxScalesToMax) {
  Fixture f{spec(1, 5, {cpuUtilization(50)})};
  auto d = f.run(8, {}, std::vector<PodMetricsSample>{});
  EXPECT_TRUE(d.rescale);
  EXPECT_EQ(d.desiredReplicas, 5);
  EXPECT_EQ(d.rescaleReason, "Current number of replicas above Spec.MaxReplicas");
}

TEST(HpaAlgorithm, ZeroReplicasDisablesScaling) {
  Fixture f{spec(1, 5, {cpuUtilization(50)})};
  EXPECT_FALSE(needsMetrics(f.hpa, 0));
  auto d = f.run(0, {}, std::vector<PodMetricsSample>{});
  EXPECT_FALSE(d.rescale);
  EXPECT_EQ(d.desiredReplicas, 0);
  EXPECT_EQ(*find(d, "ScalingActive"),
            (Condition{"ScalingActive", "False", "ScalingDisabled",
                       "scaling is disabled since the replica count of the target is zero"}));
}

TEST(HpaAlgorithm, MissingRequestFailsWithFailedGetResourceMetric) {
  Fixture f{spec(1, 10, {cpuUtilization(50)})};
  PodSample noRequest = readyPod("b");
  noRequest.containers[0].requestsMilli.clear();
  auto d = f.run(2, {readyPod("a"), noRequest}, std::vector{usage("a", 900), usage("b", 900)});
  EXPECT_TRUE(d.failed);
  EXPECT_FALSE(d.rescale);
  const Condition* active = find(d, "ScalingActive");
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(active->status, "False");
  EXPECT_EQ(active->reason, "FailedGetResourceMetric");
  EXPECT_EQ(active->message,
            "the HPA was unable to compute the replica count: failed to get cpu utilization: "
            "missing request for cpu in container app of Pod b");
  EXPECT_TRUE(hasEvent(d, "FailedGetResourceMetric"));
  EXPECT_TRUE(hasEvent(d, "FailedComputeMetricsReplicas"));
  EXPECT_EQ(d.error,
            "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource "
            "metric value: failed to get cpu utilization: missing request for cpu in container "
            "app of Pod b");
  EXPECT_EQ(d.currentMetrics, json::array());
}

TEST(HpaAlgorithm, MetricsApiErrorIsReported) {
  Fixture f{spec(1, 10, {cpuUtilization(50)})};
  auto d = f.run(2, {readyPod("a")},
                 fail(ErrorCode::kUnavailable, "no metrics returned from resource metrics API"));
  EXPECT_TRUE(d.failed);
  EXPECT_EQ(find(d, "ScalingActive")->message,
            "the HPA was unable to compute the replica count: failed to get cpu utilization: "
            "unable to get metrics for resource cpu: no metrics returned from resource metrics "
            "API");
}

TEST(HpaAlgorithm, MultipleMetricsTakeTheHighestProposal) {
  Fixture f{spec(1, 20, {memoryAverage(100 * kMi * 1000), cpuUtilization(50)})};
  auto pods = std::vector{readyPod("a"), readyPod("b")};
  // memory: 150% of the target -> 3; cpu: 200% -> 4.
  auto d = f.run(
      2, pods, std::vector{usage("a", 1000, 150 * kMi * 1000), usage("b", 1000, 150 * kMi * 1000)});
  EXPECT_EQ(d.desiredReplicas, 4);
  EXPECT_EQ(d.rescaleReason, "cpu resource utilization (percentage of request) above target");
  ASSERT_EQ(d.currentMetrics.size(), 2u);
  EXPECT_EQ(d.currentMetrics[0]["resource"]["name"], "memory");
  EXPECT_EQ(d.currentMetrics[0]["resource"]["current"]["averageValue"], "157286400");
  EXPECT_FALSE(d.currentMetrics[0]["resource"]["current"].contains("averageUtilization"));

  Fixture g{spec(1, 20, {memoryAverage(100 * kMi * 1000), cpuUtilization(50)})};
  auto m = g.run(2, pods,
                 std::vector{usage("a", 500, 300 * kMi * 1000), usage("b", 500, 300 * kMi * 1000)});
  EXPECT_EQ(m.desiredReplicas, 4);  // memory wants 6; no more than max(2 x 2, 4) at once
  EXPECT_EQ(m.rescaleReason, "memory resource above target");
}

TEST(HpaAlgorithm, OneFailingMetricDoesNotBlockAScaleUp) {
  Fixture f{spec(1, 20, {{"Pods", "", std::nullopt, std::nullopt}, cpuUtilization(50)})};
  auto d =
      f.run(2, {readyPod("a"), readyPod("b")}, std::vector{usage("a", 1000), usage("b", 1000)});
  EXPECT_FALSE(d.failed);
  EXPECT_EQ(d.desiredReplicas, 4);
  EXPECT_EQ(find(d, "ScalingActive")->status, "True");
  EXPECT_TRUE(hasEvent(d, "FailedGetPodsMetric"));
  EXPECT_EQ(d.currentMetrics[0], json({{"type", ""}}));  // the failed metric's slot
  EXPECT_EQ(d.currentMetrics[1]["type"], "Resource");
  // ...but it blocks a scale-down.
  Fixture g{spec(1, 20, {{"Pods", "", std::nullopt, std::nullopt}, cpuUtilization(50)})};
  auto down = g.run(4, {readyPod("a"), readyPod("b")}, std::vector{usage("a", 10), usage("b", 10)});
  EXPECT_TRUE(down.failed);
  EXPECT_EQ(find(down, "ScalingActive")->reason, "FailedGetPodsMetric");
}

TEST(HpaAlgorithm, SelectorFiltersPods) {
  Fixture f{spec(1, 10, {cpuUtilization(50)})};
  PodSample other = readyPod("x");
  other.labels = {{"app", "db"}};
  other.containers[0].requestsMilli.clear();  // would fail the calculation if it counted
  auto d = f.run(2, {readyPod("a"), readyPod("b"), other},
                 std::vector{usage("a", 1000), usage("b", 1000)});
  EXPECT_FALSE(d.failed) << d.error;
  EXPECT_EQ(d.desiredReplicas, 4);
}

TEST(HpaAlgorithm, MissingSelectorIsInvalidSelector) {
  Fixture f{spec(1, 10, {cpuUtilization(50)})};
  auto d = f.run(2, {readyPod("a")}, std::vector{usage("a", 1000)}, "");
  EXPECT_TRUE(d.failed);
  EXPECT_EQ(*find(d, "ScalingActive"), (Condition{"ScalingActive", "False", "InvalidSelector",
                                                  "the HPA target's scale is missing a selector"}));
  EXPECT_TRUE(hasEvent(d, "SelectorRequired"));
}

TEST(HpaAlgorithm, BehaviorLimitsTheScaleUp) {
  Fixture f{spec(1, 100, {cpuUtilization(10)})};
  f.hpa.behavior = defaultBehavior();
  auto d =
      f.run(2, {readyPod("a"), readyPod("b")}, std::vector{usage("a", 1000), usage("b", 1000)});
  EXPECT_EQ(d.desiredReplicas, 6);  // wants 20; max(2 + 4, 2 x 2)
  EXPECT_EQ(*find(d, "ScalingLimited"),
            (Condition{"ScalingLimited", "True", "ScaleUpLimit",
                       "the desired replica count is increasing faster than the maximum scale "
                       "rate"}));
}

TEST(HpaSpecParsing, DefaultsAsKubernetes) {
  auto s = parseHpaSpec(json::parse(R"({"scaleTargetRef":{"apiVersion":"apps/v1",
      "kind":"Deployment","name":"web"},"maxReplicas":5})"),
                        std::chrono::seconds(300));
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->minReplicas, 1);
  ASSERT_EQ(s->metrics.size(), 1u);
  EXPECT_EQ(s->metrics[0].resourceName, "cpu");
  EXPECT_EQ(s->metrics[0].averageUtilization, 80);
  EXPECT_FALSE(s->behavior);

  auto b = parseHpaSpec(json::parse(R"({"scaleTargetRef":{"kind":"Deployment","name":"web"},
      "maxReplicas":5,"metrics":[{"type":"Resource","resource":{"name":"memory",
      "target":{"type":"AverageValue","averageValue":"100Mi"}}}],
      "behavior":{"scaleUp":{"selectPolicy":"Disabled"}}})"),
                        std::chrono::seconds(120));
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(b->metrics[0].averageValueMilli, 100 * kMi * 1000);
  ASSERT_TRUE(b->behavior);
  EXPECT_EQ(b->behavior->scaleUp.selectPolicy, SelectPolicy::kDisabled);
  EXPECT_EQ(b->behavior->scaleUp.policies.size(), 2u);
  EXPECT_EQ(b->behavior->scaleUp.stabilizationWindowSeconds, 0);
  EXPECT_EQ(b->behavior->scaleDown.stabilizationWindowSeconds, 120);
  EXPECT_EQ(b->behavior->scaleDown.policies.size(), 1u);

  EXPECT_FALSE(parseHpaSpec(json::parse(R"({"maxReplicas":5})"), std::chrono::seconds(1)));
}

TEST(HpaTypes, ParsesPodsAndMetrics) {
  PodSample pod = parsePod(json::parse(R"({"metadata":{"name":"p","labels":{"app":"web"}},
      "spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"250m","memory":"64Mi"}}}],
              "initContainers":[{"name":"side","restartPolicy":"Always",
                                 "resources":{"requests":{"cpu":"50m"}}},{"name":"init"}]},
      "status":{"phase":"Running","startTime":"2023-11-14T22:13:20Z",
                "conditions":[{"type":"Ready","status":"True",
                               "lastTransitionTime":"2023-11-14T22:13:30.5Z"}]}})"));
  EXPECT_EQ(pod.name, "p");
  EXPECT_EQ(pod.phase, "Running");
  EXPECT_EQ(pod.startTime, kNow);
  EXPECT_EQ(pod.ready, true);
  EXPECT_EQ(pod.readyTransition, kNow + std::chrono::milliseconds(10500));
  ASSERT_EQ(pod.containers.size(), 2u);
  EXPECT_EQ(pod.containers[0].requestsMilli.at("cpu"), 250);
  EXPECT_EQ(pod.containers[1].name, "side");

  auto m = parsePodMetrics(json::parse(R"({"metadata":{"name":"p"},
      "timestamp":"2023-11-14T22:13:20Z","window":"1m0.5s",
      "containers":[{"name":"c","usage":{"cpu":"12345n","memory":"1Ki"}}]})"));
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->window, std::chrono::milliseconds(60500));
  EXPECT_EQ(m->containers[0].usageMilli.at("cpu"), 1);  // rounded up
  EXPECT_EQ(m->containers[0].usageMilli.at("memory"), 1024000);
  EXPECT_EQ(milliQuantityString(250), "250m");
  EXPECT_EQ(milliQuantityString(2000), "2");
}

}  // namespace
}  // namespace berth::controllers::hpa
