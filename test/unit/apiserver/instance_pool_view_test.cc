#include "apiserver/instance_pool_view.h"

#include <gtest/gtest.h>

#include "apiserver/builtin_types.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

api::LabelSelector selector(const std::string& text) {
  auto parsed = api::LabelSelector::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : api::LabelSelector{};
}

json node(const std::string& name, json taints) {
  json object = {{"metadata", {{"name", name}, {"labels", {{"berth.io/pool", "instances"}}}}},
                 {"spec", json::object()}};
  if (!taints.is_null()) {
    object["spec"]["taints"] = std::move(taints);
  }
  return object;
}

json pod(const std::string& name, bool groupPod) {
  json object = {{"metadata", {{"name", name}, {"namespace", "ns"}, {"labels", {{"app", "x"}}}}}};
  if (groupPod) {
    object["metadata"]["labels"]["instances.berth.io/group"] = name;
  }
  return object;
}

TEST(InstancePoolViewTest, TaintedInstanceNodesAreLeftOut) {
  const ResourceType nodes = nodeType();
  InstancePoolView view(nodes, "", {});
  EXPECT_TRUE(view.active());
  json instanceTaint =
      json::array({{{"key", "berth.io/pool"}, {"value", "instances"}, {"effect", "NoSchedule"}}});
  EXPECT_TRUE(view.hides(node("dedicated", instanceTaint)));
  // berth up's local node: labelled for both pools, not tainted.
  EXPECT_FALSE(view.hides(node("local", nullptr)));
  EXPECT_FALSE(view.hides(
      node("other-taint",
           json::array({{{"key", "berth.io/pool"}, {"value", "gpu"}, {"effect", "NoSchedule"}}}))));
  EXPECT_FALSE(view.hides(node("prefer", json::array({{{"key", "berth.io/pool"},
                                                       {"value", "instances"},
                                                       {"effect", "PreferNoSchedule"}}}))));
  // Asking for the pool label shows them.
  InstancePoolView asked(nodes, "", selector("berth.io/pool=instances"));
  EXPECT_FALSE(asked.active());
  EXPECT_FALSE(asked.hides(node("dedicated", instanceTaint)));
}

TEST(InstancePoolViewTest, GroupPodsAreLeftOutAcrossAllNamespacesOnly) {
  const ResourceType pods = podType();
  InstancePoolView all(pods, "", selector("app=x"));
  EXPECT_TRUE(all.hides(pod("web", true)));
  EXPECT_FALSE(all.hides(pod("ordinary", false)));

  InstancePoolView oneNamespace(pods, "ns", {});
  EXPECT_FALSE(oneNamespace.active());
  EXPECT_FALSE(oneNamespace.hides(pod("web", true)));

  for (const char* text :
       {"instances.berth.io/group", "instances.berth.io/group=web",
        "app=x,instances.berth.io/group in (web)", "!instances.berth.io/group"}) {
    InstancePoolView asked(pods, "", selector(text));
    EXPECT_FALSE(asked.hides(pod("web", true))) << text;
  }
}

TEST(InstancePoolViewTest, OtherResourcesAreUntouched) {
  InstancePoolView view(namespaceType(), "", {});
  EXPECT_FALSE(view.active());
  EXPECT_FALSE(view.hides(pod("web", true)));
}

}  // namespace
}  // namespace berth::apiserver
