#include "scheduler/plugins.h"

#include <gtest/gtest.h>

#include "test_objects.h"

namespace berth::scheduler {
namespace {

using nlohmann::json;
using testing::boundTo;
using testing::makeNode;
using testing::makePod;
using testing::withTaint;

NodeInfo nodeInfo(const json& node, const std::vector<json>& pods = {}) {
  NodeInfo info(parseNode(node));
  for (const auto& p : pods) {
    info.addPod(parsePod(p));
  }
  return info;
}

TEST(NodeNameTest, OnlyTheRequestedNode) {
  NodeName plugin;
  CycleState state;
  auto pod = makePod("p");
  EXPECT_TRUE(plugin.filter(state, *parsePod(pod), nodeInfo(makeNode("a"))).ok());
  pod["spec"]["nodeName"] = "b";
  EXPECT_TRUE(plugin.filter(state, *parsePod(pod), nodeInfo(makeNode("b"))).ok());
  PluginStatus s = plugin.filter(state, *parsePod(pod), nodeInfo(makeNode("a")));
  EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(s.message(), "node(s) didn't match the requested node name");
}

TEST(NodeUnschedulableTest, CordonedNodeUnlessTolerated) {
  NodeUnschedulable plugin;
  CycleState state;
  auto node = makeNode("a");
  node["spec"]["unschedulable"] = true;
  auto pod = makePod("p");
  PluginStatus s = plugin.filter(state, *parsePod(pod), nodeInfo(node));
  EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(s.message(), "node(s) were unschedulable");
  pod["spec"]["tolerations"] = json::array({{{"key", "node.kubernetes.io/unschedulable"},
                                             {"operator", "Exists"},
                                             {"effect", "NoSchedule"}}});
  EXPECT_TRUE(plugin.filter(state, *parsePod(pod), nodeInfo(node)).ok());
  EXPECT_TRUE(plugin.filter(state, *parsePod(makePod("q")), nodeInfo(makeNode("b"))).ok());
}

TEST(TaintTolerationTest, FilterNamesTheUntoleratedTaint) {
  TaintToleration plugin;
  CycleState state;
  auto node = withTaint(makeNode("cp"), "node-role.kubernetes.io/control-plane", "", "NoSchedule");
  PluginStatus s = plugin.filter(state, *parsePod(makePod("p")), nodeInfo(node));
  EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(s.message(), "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");

  auto notReady = withTaint(makeNode("n"), "node.kubernetes.io/not-ready", "", "NoExecute");
  EXPECT_EQ(plugin.filter(state, *parsePod(makePod("p")), nodeInfo(notReady)).message(),
            "node(s) had untolerated taint {node.kubernetes.io/not-ready: }");
  auto soft = withTaint(makeNode("s"), "x", "y", "PreferNoSchedule");
  EXPECT_TRUE(plugin.filter(state, *parsePod(makePod("p")), nodeInfo(soft)).ok());

  auto pod = makePod("tolerant");
  pod["spec"]["tolerations"] = json::array({{{"operator", "Exists"}}});
  EXPECT_TRUE(plugin.filter(state, *parsePod(pod), nodeInfo(node)).ok());
  EXPECT_TRUE(plugin.filter(state, *parsePod(pod), nodeInfo(notReady)).ok());
}

TEST(TaintTolerationTest, ScorePrefersFewerPreferNoScheduleTaints) {
  TaintToleration plugin;
  CycleState state;
  auto pod = parsePod(makePod("p"));
  NodeInfo clean = nodeInfo(makeNode("a"));
  NodeInfo one = nodeInfo(withTaint(makeNode("b"), "x", "", "PreferNoSchedule"));
  NodeInfo two = nodeInfo(withTaint(withTaint(makeNode("c"), "x", "", "PreferNoSchedule"), "y", "",
                                    "PreferNoSchedule"));
  std::vector<NodeScore> scores = {{"a", plugin.score(state, *pod, clean)},
                                   {"b", plugin.score(state, *pod, one)},
                                   {"c", plugin.score(state, *pod, two)}};
  plugin.normalizeScore(state, *pod, scores);
  EXPECT_EQ(scores[0].score, 100);
  EXPECT_EQ(scores[1].score, 50);
  EXPECT_EQ(scores[2].score, 0);
}

struct AffinityCase {
  const char* name;
  json requirement;  // one matchExpressions entry
  bool matches;
};

TEST(NodeAffinityTest, RequiredMatchExpressionsOperators) {
  NodeAffinity plugin;
  CycleState state;
  auto node = makeNode("a");
  node["metadata"]["labels"]["zone"] = "z1";
  node["metadata"]["labels"]["cores"] = "8";
  const AffinityCase cases[] = {
      {"In", {{"key", "zone"}, {"operator", "In"}, {"values", {"z0", "z1"}}}, true},
      {"In other", {{"key", "zone"}, {"operator", "In"}, {"values", {"z2"}}}, false},
      {"In no values", {{"key", "zone"}, {"operator", "In"}, {"values", json::array()}}, false},
      {"NotIn", {{"key", "zone"}, {"operator", "NotIn"}, {"values", {"z2"}}}, true},
      {"NotIn missing label", {{"key", "gpu"}, {"operator", "NotIn"}, {"values", {"x"}}}, true},
      {"NotIn hit", {{"key", "zone"}, {"operator", "NotIn"}, {"values", {"z1"}}}, false},
      {"Exists", {{"key", "zone"}, {"operator", "Exists"}}, true},
      {"Exists missing", {{"key", "gpu"}, {"operator", "Exists"}}, false},
      {"DoesNotExist", {{"key", "gpu"}, {"operator", "DoesNotExist"}}, true},
      {"DoesNotExist present", {{"key", "zone"}, {"operator", "DoesNotExist"}}, false},
      {"Gt", {{"key", "cores"}, {"operator", "Gt"}, {"values", {"4"}}}, true},
      {"Gt equal", {{"key", "cores"}, {"operator", "Gt"}, {"values", {"8"}}}, false},
      {"Lt", {{"key", "cores"}, {"operator", "Lt"}, {"values", {"16"}}}, true},
      {"Gt non-integer label", {{"key", "zone"}, {"operator", "Gt"}, {"values", {"1"}}}, false},
      {"Gt two values", {{"key", "cores"}, {"operator", "Gt"}, {"values", {"1", "2"}}}, false},
      {"unknown operator", {{"key", "zone"}, {"operator", "Like"}, {"values", {"z1"}}}, false},
  };
  for (const auto& c : cases) {
    auto pod = makePod("p");
    pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
       ["nodeSelectorTerms"] = json::array({{{"matchExpressions", json::array({c.requirement})}}});
    PluginStatus s = plugin.filter(state, *parsePod(pod), nodeInfo(node));
    EXPECT_EQ(s.ok(), c.matches) << c.name;
    if (!s.ok()) {
      EXPECT_EQ(s.message(), "node(s) didn't match Pod's node affinity/selector") << c.name;
    }
  }
}

TEST(NodeAffinityTest, TermsAreOredFieldsAndSelectorAnded) {
  NodeAffinity plugin;
  CycleState state;
  auto node = makeNode("a");
  auto pod = makePod("p");
  auto& terms = pod["spec"]["affinity"]["nodeAffinity"]
                   ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
  terms = json::array(
      {{{"matchFields",
         json::array({{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"b"}}}})}},
       {{"matchFields",
         json::array({{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"a"}}}})}}});
  EXPECT_TRUE(plugin.filter(state, *parsePod(pod), nodeInfo(node)).ok());
  EXPECT_FALSE(plugin.filter(state, *parsePod(pod), nodeInfo(makeNode("c"))).ok());
  pod["spec"]["nodeSelector"] = {{"disk", "ssd"}};
  EXPECT_FALSE(plugin.filter(state, *parsePod(pod), nodeInfo(node)).ok());
  node["metadata"]["labels"]["disk"] = "ssd";
  EXPECT_TRUE(plugin.filter(state, *parsePod(pod), nodeInfo(node)).ok());
  // An empty term list or an empty term matches nothing.
  terms = json::array({json::object()});
  EXPECT_FALSE(plugin.filter(state, *parsePod(pod), nodeInfo(node)).ok());
  terms = json::array();
  EXPECT_FALSE(plugin.filter(state, *parsePod(pod), nodeInfo(node)).ok());
}

TEST(NodeAffinityTest, PreferredTermsScoreByWeight) {
  NodeAffinity plugin;
  CycleState state;
  auto pod = makePod("p");
  pod["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] =
      json::array(
          {{{"weight", 80},
            {"preference",
             {{"matchExpressions",
               json::array({{{"key", "zone"}, {"operator", "In"}, {"values", {"z1"}}}})}}}},
           {{"weight", 20},
            {"preference",
             {{"matchExpressions", json::array({{{"key", "disk"}, {"operator", "Exists"}}})}}}}});
  auto a = makeNode("a");
  a["metadata"]["labels"]["zone"] = "z1";
  auto b = makeNode("b");
  b["metadata"]["labels"]["disk"] = "ssd";
  auto info = parsePod(pod);
  std::vector<NodeScore> scores = {{"a", plugin.score(state, *info, nodeInfo(a))},
                                   {"b", plugin.score(state, *info, nodeInfo(b))},
                                   {"c", plugin.score(state, *info, nodeInfo(makeNode("c")))}};
  EXPECT_EQ(scores[0].score, 80);
  plugin.normalizeScore(state, *info, scores);
  EXPECT_EQ(scores[0].score, 100);
  EXPECT_EQ(scores[1].score, 25);
  EXPECT_EQ(scores[2].score, 0);
}

TEST(NodeResourcesFitTest, ReasonsForEachShortResource) {
  NodeResourcesFit plugin;
  CycleState state;
  auto node = makeNode("a", "2", "4Gi");
  node["status"]["allocatable"]["example.com/gpu"] = "1";
  NodeInfo info = nodeInfo(node, {boundTo(makePod("x", "1500m", "3Gi"), "a")});

  EXPECT_TRUE(plugin.filter(state, *parsePod(makePod("p", "500m", "1Gi")), info).ok());
  PluginStatus s = plugin.filter(state, *parsePod(makePod("p", "501m", "1025Mi")), info);
  EXPECT_EQ(s.code(), Code::kUnschedulable);
  EXPECT_EQ(s.reasons(), (std::vector<std::string>{"Insufficient cpu", "Insufficient memory"}));

  auto gpu = makePod("g", "100m");
  gpu["spec"]["containers"][0]["resources"]["requests"]["example.com/gpu"] = "2";
  gpu["spec"]["containers"][0]["resources"]["requests"]["example.com/fpga"] = "1";
  s = plugin.filter(state, *parsePod(gpu), info);
  EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);  // 2 gpus > allocatable 1
  EXPECT_EQ(s.reasons(), (std::vector<std::string>{"Insufficient example.com/fpga",
                                                   "Insufficient example.com/gpu"}));

  // More than the whole node: preemption cannot help.
  EXPECT_EQ(plugin.filter(state, *parsePod(makePod("big", "3")), info).code(),
            Code::kUnschedulableAndUnresolvable);
}

TEST(NodeResourcesFitTest, TooManyPodsEvenWithoutRequests) {
  NodeResourcesFit plugin;
  CycleState state;
  NodeInfo info = nodeInfo(makeNode("a", "4", "8Gi", "2"),
                           {boundTo(makePod("x"), "a"), boundTo(makePod("y"), "a")});
  PluginStatus s = plugin.filter(state, *parsePod(makePod("p")), info);
  EXPECT_EQ(s.code(), Code::kUnschedulable);
  EXPECT_EQ(s.message(), "Too many pods");
}

TEST(NodeResourcesFitTest, LeastAllocatedScore) {
  NodeResourcesFit plugin;
  CycleState state;
  auto pod = parsePod(makePod("p", "1", "1Gi"));
  // cpu: (4-1)/4 -> 75; memory: (8-1)/8 -> 87; mean 81.
  EXPECT_EQ(plugin.score(state, *pod, nodeInfo(makeNode("a", "4", "8Gi"))), 81);
  NodeInfo busy = nodeInfo(makeNode("b", "4", "8Gi"), {boundTo(makePod("x", "2", "4Gi"), "b")});
  // cpu: (4-3)/4 -> 25; memory: (8-5)/8 -> 37; mean 31.
  EXPECT_EQ(plugin.score(state, *pod, busy), 31);
  // A pod without requests counts 100m / 200Mi.
  auto empty = parsePod(makePod("e"));
  EXPECT_EQ(plugin.score(state, *empty, nodeInfo(makeNode("c", "1", "1000Mi"))), (90 + 80) / 2);
}

}  // namespace
}  // namespace berth::scheduler
