#include "scheduler/fit_error.h"

#include <gtest/gtest.h>

#include "fake_writer.h"
#include "scheduler/plugins.h"
#include "scheduler/schedule_pod.h"
#include "test_objects.h"

namespace berth::scheduler {
namespace {

using nlohmann::json;
using testing::boundTo;
using testing::FakeWriter;
using testing::makeNode;
using testing::makePod;
using testing::withTaint;

TEST(FitErrorTest, CountsAndSortsReasonsAsStrings) {
  FitError fit;
  fit.numAllNodes = 12;
  for (int i = 0; i < 10; ++i) {
    fit.diagnosis.nodeToStatus["t" + std::to_string(i)] =
        PluginStatus::unresolvable("node(s) had untolerated taint {a: }");
  }
  fit.diagnosis.nodeToStatus["c"] =
      PluginStatus(Code::kUnschedulable, {"Insufficient cpu", "Insufficient memory"});
  fit.diagnosis.nodeToStatus["d"] = PluginStatus::unschedulable("Insufficient cpu");
  EXPECT_EQ(fit.message(),
            "0/12 nodes are available: 1 Insufficient memory, 10 node(s) had untolerated taint "
            "{a: }, 2 Insufficient cpu.");
}

TEST(FitErrorTest, AbsentNodesAndPostFilterMessage) {
  FitError fit;
  fit.numAllNodes = 3;
  fit.diagnosis.absentNodesReasons = {"Preemption is not helpful for scheduling"};
  EXPECT_EQ(fit.message(), "0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  fit.diagnosis.preFilterMessage = "pod has unbound immediate PersistentVolumeClaims";
  fit.diagnosis.postFilterMessage = "preemption: x";
  EXPECT_EQ(fit.message(),
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
            "preemption: x");
}

class SchedulePodTest : public ::testing::Test {
 protected:
  std::string run(const json& pod, const std::vector<json>& nodes,
                  const std::vector<json>& pods = {}) {
    std::vector<NodeInfoPtr> infos;
    for (const auto& n : nodes) {
      auto info = std::make_shared<NodeInfo>(parseNode(n));
      for (const auto& p : pods) {
        if (p["spec"]["nodeName"] == n["metadata"]["name"]) {
          info->addPod(parsePod(p));
        }
      }
      infos.push_back(info);
    }
    result_ = schedulePod(framework_, *parsePod(pod), infos, rng_);
    return result_.ok() ? result_.nodeName : result_.message;
  }

  FakeWriter writer_;
  Framework framework_{defaultProfile(writer_)};
  std::mt19937_64 rng_{1};
  ScheduleResult result_;
};

TEST_F(SchedulePodTest, MixedReasonsMessageAsKubeScheduler) {
  auto cp = [](const std::string& name) {
    return withTaint(makeNode(name), "node-role.kubernetes.io/control-plane", "", "NoSchedule");
  };
  EXPECT_EQ(run(makePod("p", "8"), {makeNode("w", "2"), cp("cp1"), cp("cp2")}),
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint "
            "{node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: "
            "3 Preemption is not helpful for scheduling.");
  EXPECT_EQ(result_.unschedulablePlugins,
            (std::set<std::string>{"NodeResourcesFit", "TaintToleration"}));
}

TEST_F(SchedulePodTest, ResolvableShortageReportsNoVictims) {
  auto w = makeNode("w", "2");
  auto sel = makeNode("s");
  auto pod = makePod("p", "1");
  pod["spec"]["nodeSelector"] = {{"pool", "web"}};
  w["metadata"]["labels"]["pool"] = "web";
  EXPECT_EQ(run(pod, {w, sel}, {boundTo(makePod("x", "1500m"), "w")}),
            "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node "
            "affinity/selector. preemption: 0/2 nodes are available: 1 No preemption victims "
            "found for incoming pod, 1 Preemption is not helpful for scheduling.");
}

TEST_F(SchedulePodTest, UnschedulableNodeReportedBeforeTaints) {
  auto n = withTaint(makeNode("n"), "node.kubernetes.io/unschedulable", "", "NoSchedule");
  n["spec"]["unschedulable"] = true;
  auto other = makeNode("o");
  auto pod = makePod("p");
  pod["spec"]["nodeName"] = "elsewhere";
  EXPECT_EQ(run(pod, {n, other}),
            "0/2 nodes are available: 1 node(s) didn't match the requested node name, 1 node(s) "
            "were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not "
            "helpful for scheduling.");
}

TEST_F(SchedulePodTest, TooManyPodsAndNeverPreemptPolicy) {
  auto pod = makePod("p");
  pod["spec"]["preemptionPolicy"] = "Never";
  EXPECT_EQ(run(pod, {makeNode("a", "4", "8Gi", "1")}, {boundTo(makePod("x"), "a")}),
            "0/1 nodes are available: 1 Too many pods. preemption: not eligible due to "
            "preemptionPolicy=Never.");
}

TEST_F(SchedulePodTest, NoNodes) {
  EXPECT_EQ(run(makePod("p"), {}), "no nodes available to schedule pods");
  EXPECT_FALSE(result_.error);
}

TEST_F(SchedulePodTest, LeastAllocatedPicksTheEmptierNode) {
  std::vector<json> pods = {boundTo(makePod("x", "3", "6Gi"), "busy")};
  EXPECT_EQ(run(makePod("p", "500m", "512Mi"), {makeNode("busy"), makeNode("idle")}, pods), "idle");
  EXPECT_EQ(result_.feasibleNodes, 2u);
}

TEST_F(SchedulePodTest, TaintPreferenceOutweighsLoad) {
  auto tainted = withTaint(makeNode("t"), "spot", "", "PreferNoSchedule");
  std::vector<json> pods = {boundTo(makePod("x", "2", "4Gi"), "busy")};
  EXPECT_EQ(run(makePod("p", "100m"), {tainted, makeNode("busy")}, pods), "busy");
}

TEST_F(SchedulePodTest, TiesAreBrokenAcrossNodes) {
  std::set<std::string> chosen;
  for (int i = 0; i < 40; ++i) {
    chosen.insert(run(makePod("p", "1"), {makeNode("a"), makeNode("b"), makeNode("c")}));
  }
  EXPECT_EQ(chosen.size(), 3u);
}

TEST_F(SchedulePodTest, PreemptionDryRunWithoutLowerPriorityPods) {
  auto low = boundTo(makePod("low", "1"), "a");
  auto high = boundTo(makePod("high", "2500m"), "a");
  high["spec"]["priority"] = 200;
  auto pod = makePod("p", "2");
  pod["spec"]["priority"] = 100;
  // Without "low" the node still lacks cpu: preemption reports that reason.
  EXPECT_EQ(run(pod, {makeNode("a")}, {low, high}),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
            "1 Insufficient cpu.");
}

}  // namespace
}  // namespace berth::scheduler
