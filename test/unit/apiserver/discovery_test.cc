#include "apiserver/discovery.h"

#include <gtest/gtest.h>

#include "apiserver/builtin_types.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

ResourceRegistry builtins() {
  ResourceRegistry registry;
  registerBuiltinTypes(registry);
  return registry;
}

const json* findByKey(const json& list, const char* key, const std::string& value) {
  for (const auto& item : list) {
    if (item.value(key, "") == value) {
      return &item;
    }
  }
  return nullptr;
}

TEST(DiscoveryTest, AcceptHeader) {
  EXPECT_TRUE(wantsAggregatedDiscovery(
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
      "application/json"));
  EXPECT_FALSE(wantsAggregatedDiscovery("application/json, */*"));
  EXPECT_EQ(kAggregatedDiscoveryContentType,
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
}

TEST(DiscoveryTest, AggregatedCoreHasThePodsEntry) {
  json doc = aggregatedDiscovery(builtins(), true);
  EXPECT_EQ(doc["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(doc["apiVersion"], "apidiscovery.k8s.io/v2");
  ASSERT_EQ(doc["items"].size(), 1u);
  const json& group = doc["items"][0];
  EXPECT_EQ(group["metadata"]["name"], "");
  ASSERT_EQ(group["versions"].size(), 1u);
  EXPECT_EQ(group["versions"][0]["version"], "v1");
  const json& resources = group["versions"][0]["resources"];
  ASSERT_EQ(resources.size(), 6u);
  EXPECT_EQ(resources[0]["resource"], "pods");
  const json& pods = resources[0];
  EXPECT_EQ(pods["responseKind"], (json{{"group", ""}, {"version", ""}, {"kind", "Pod"}}));
  EXPECT_EQ(pods["scope"], "Namespaced");
  EXPECT_EQ(pods["singularResource"], "pod");
  EXPECT_EQ(pods["shortNames"], json{"po"});
  EXPECT_EQ(pods["categories"], json{"all"});
  EXPECT_EQ(pods["verbs"], (json{"create", "delete", "deletecollection", "get", "list", "patch",
                                 "update", "watch"}));
  const json* eviction = findByKey(pods["subresources"], "subresource", "eviction");
  ASSERT_TRUE(eviction);
  EXPECT_EQ((*eviction)["responseKind"],
            (json{{"group", "policy"}, {"version", "v1"}, {"kind", "Eviction"}}));
  EXPECT_EQ((*eviction)["verbs"], json{"create"});
  const json* status = findByKey(pods["subresources"], "subresource", "status");
  ASSERT_TRUE(status);
  EXPECT_EQ((*status)["verbs"], (json{"get", "patch", "update"}));
  const json* nodes = findByKey(resources, "resource", "nodes");
  ASSERT_TRUE(nodes);
  EXPECT_EQ((*nodes)["scope"], "Cluster");
}

TEST(DiscoveryTest, AggregatedApisListsNamedGroups) {
  json doc = aggregatedDiscovery(builtins(), false);
  ASSERT_GE(doc["items"].size(), 2u);
  EXPECT_EQ(doc["items"][0]["metadata"]["name"], "coordination.k8s.io");
  EXPECT_EQ(doc["items"][0]["versions"][0]["resources"][0]["resource"], "leases");
  EXPECT_EQ(doc["items"][1]["metadata"]["name"], "apps");
  const json& apps = doc["items"][1]["versions"][0]["resources"];
  const json* deployments = findByKey(apps, "resource", "deployments");
  ASSERT_TRUE(deployments);
  EXPECT_EQ((*deployments)["shortNames"], json{"deploy"});
  EXPECT_EQ((*deployments)["categories"], json{"all"});
  const json* scale = findByKey((*deployments)["subresources"], "subresource", "scale");
  ASSERT_TRUE(scale);
  EXPECT_EQ((*scale)["responseKind"],
            (json{{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}}));
  EXPECT_EQ((*scale)["verbs"], (json{"get", "patch", "update"}));
  const json* replicasets = findByKey(apps, "resource", "replicasets");
  ASSERT_TRUE(replicasets);
  EXPECT_EQ((*replicasets)["shortNames"], json{"rs"});
}

TEST(DiscoveryTest, LegacyResourceListHasSubresourcesAndEviction) {
  auto list = apiResourceList(builtins(), "", "v1");
  ASSERT_TRUE(list);
  EXPECT_EQ((*list)["kind"], "APIResourceList");
  EXPECT_EQ((*list)["groupVersion"], "v1");
  const json& resources = (*list)["resources"];
  const json* eviction = findByKey(resources, "name", "pods/eviction");
  ASSERT_TRUE(eviction);
  EXPECT_EQ(*eviction, (json{{"name", "pods/eviction"},
                             {"singularName", ""},
                             {"namespaced", true},
                             {"group", "policy"},
                             {"version", "v1"},
                             {"kind", "Eviction"},
                             {"verbs", {"create"}}}));
  for (const char* name : {"pods", "pods/status", "pods/log", "pods/exec", "pods/binding",
                           "namespaces/status", "nodes/status", "configmaps", "secrets"}) {
    EXPECT_TRUE(findByKey(resources, "name", name)) << name;
  }
  const json* log = findByKey(resources, "name", "pods/log");
  EXPECT_EQ((*log)["kind"], "Pod");
  EXPECT_FALSE(log->contains("group"));
  EXPECT_FALSE(apiResourceList(builtins(), "", "v2"));
  auto leases = apiResourceList(builtins(), "coordination.k8s.io", "v1");
  ASSERT_TRUE(leases);
  EXPECT_EQ((*leases)["groupVersion"], "coordination.k8s.io/v1");
}

TEST(DiscoveryTest, LegacyVersionsAndGroups) {
  json versions = apiVersions("10.0.0.1:6443");
  EXPECT_EQ(versions["versions"], json{"v1"});
  EXPECT_EQ(versions["serverAddressByClientCIDRs"][0]["serverAddress"], "10.0.0.1:6443");
  json groups = apiGroupList(builtins());
  EXPECT_EQ(groups["kind"], "APIGroupList");
  ASSERT_GE(groups["groups"].size(), 2u);
  EXPECT_EQ(groups["groups"][0]["preferredVersion"]["groupVersion"], "coordination.k8s.io/v1");
  EXPECT_EQ(groups["groups"][1]["preferredVersion"]["groupVersion"], "apps/v1");
  auto group = apiGroup(builtins(), "coordination.k8s.io");
  ASSERT_TRUE(group);
  EXPECT_EQ((*group)["kind"], "APIGroup");
  EXPECT_TRUE(apiGroup(builtins(), "apps"));
  EXPECT_FALSE(apiGroup(builtins(), "batch"));
}

TEST(DiscoveryTest, VirtualGroupIsJustAType) {
  ResourceRegistry registry = builtins();
  ResourceType metrics;
  metrics.group = "virtual.example.com";
  metrics.version = "v1beta1";
  metrics.resource = "pods";
  metrics.kind = "PodMetrics";
  metrics.singular = "";
  metrics.verbs = {"get", "list"};
  registry.add(metrics);
  json doc = aggregatedDiscovery(registry, false);
  ASSERT_EQ(doc["items"].size(), aggregatedDiscovery(builtins(), false)["items"].size() + 1);
  const json& last = doc["items"].back();
  EXPECT_EQ(last["metadata"]["name"], "virtual.example.com");
  EXPECT_EQ(last["versions"][0]["version"], "v1beta1");
  EXPECT_EQ(last["versions"][0]["resources"][0]["verbs"], (json{"get", "list"}));
}

TEST(DiscoveryTest, VersionSaysMinor32) {
  json v = versionInfo();
  EXPECT_EQ(v["major"], "1");
  EXPECT_EQ(v["minor"], "32");
  EXPECT_TRUE(v["gitVersion"].get<std::string>().starts_with("v1.32.0"));
}

}  // namespace
}  // namespace berth::apiserver
