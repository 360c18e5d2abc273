#include "apiserver/openapi.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "apiserver/builtin_types.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

ResourceRegistry builtins() {
  ResourceRegistry registry;
  registerBuiltinTypes(registry);
  return registry;
}

bool hasParam(const json& op, const std::string& name) {
  for (const auto& p : op.value("parameters", json::array())) {
    if (p["name"] == name) {
      return true;
    }
  }
  return false;
}

TEST(OpenApiTest, IndexHasOneEntryPerGroupVersion) {
  json index = openApiIndex(builtins());
  ASSERT_GE(index["paths"].size(), 3u);
  EXPECT_TRUE(index["paths"].contains("apis/apps/v1"));
  std::string url = index["paths"]["api/v1"]["serverRelativeURL"];
  EXPECT_TRUE(url.starts_with("/openapi/v3/api/v1?hash=")) << url;
  EXPECT_TRUE(index["paths"].contains("apis/coordination.k8s.io/v1"));
}

TEST(OpenApiTest, EveryKindHasAPatchWithGvkAndFieldValidation) {
  ResourceRegistry registry = builtins();
  for (const auto& type : registry.all()) {
    if (std::find(type->verbs.begin(), type->verbs.end(), "patch") == type->verbs.end()) {
      continue;  // read-only kinds (metrics.k8s.io)
    }
    auto doc = openApiDocument(registry, type->group, type->version);
    ASSERT_TRUE(doc) << type->resource;
    std::string prefix = type->group.empty() ? "/api/" + type->version
                                             : "/apis/" + type->group + "/" + type->version;
    std::string item = type->namespaced
                           ? prefix + "/namespaces/{namespace}/" + type->resource + "/{name}"
                           : prefix + "/" + type->resource + "/{name}";
    ASSERT_TRUE((*doc)["paths"].contains(item)) << item;
    const json& patch = (*doc)["paths"][item]["patch"];
    EXPECT_EQ(patch["x-kubernetes-group-version-kind"],
              (json{{"group", type->group}, {"version", type->version}, {"kind", type->kind}}))
        << item;
    EXPECT_TRUE(hasParam(patch, "fieldValidation")) << item;
    EXPECT_TRUE(patch["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
    for (const char* method : {"get", "put", "delete"}) {
      EXPECT_TRUE((*doc)["paths"][item].contains(method)) << item << " " << method;
    }
  }
}

TEST(OpenApiTest, CollectionsSubresourcesAndSchemas) {
  auto doc = openApiDocument(builtins(), "", "v1");
  ASSERT_TRUE(doc);
  const json& paths = (*doc)["paths"];
  const json& pods = paths["/api/v1/namespaces/{namespace}/pods"];
  EXPECT_EQ(pods["get"]["x-kubernetes-action"], "list");
  EXPECT_EQ(pods["post"]["x-kubernetes-action"], "post");
  EXPECT_TRUE(hasParam(pods["post"], "fieldValidation"));
  EXPECT_TRUE(paths.contains("/api/v1/pods"));
  EXPECT_TRUE(paths.contains("/api/v1/nodes"));
  EXPECT_FALSE(paths.contains("/api/v1/namespaces/{namespace}/nodes"));
  const json& eviction = paths["/api/v1/namespaces/{namespace}/pods/{name}/eviction"];
  EXPECT_EQ(eviction["post"]["x-kubernetes-group-version-kind"]["kind"], "Eviction");
  const json& status = paths["/api/v1/namespaces/{namespace}/pods/{name}/status"];
  EXPECT_TRUE(status.contains("patch"));
  EXPECT_EQ(status["patch"]["x-kubernetes-group-version-kind"]["kind"], "Pod");
  // Component schemas must not carry the GVK (kubectl apply would build its patch from them).
  const json& schemas = (*doc)["components"]["schemas"];
  ASSERT_TRUE(schemas.contains("io.k8s.api.core.v1.Pod"));
  for (const auto& [name, schema] : schemas.items()) {
    EXPECT_FALSE(schema.contains("x-kubernetes-group-version-kind")) << name;
  }
  EXPECT_FALSE(openApiDocument(builtins(), "batch", "v1"));
  auto apps = openApiDocument(builtins(), "apps", "v1");
  ASSERT_TRUE(apps);
  const json& scale =
      (*apps)["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
  EXPECT_EQ(scale["put"]["x-kubernetes-group-version-kind"],
            (json{{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}}));
  EXPECT_TRUE(scale.contains("patch"));
  EXPECT_TRUE(
      (*apps)["paths"].contains("/apis/apps/v1/namespaces/{namespace}/replicasets/{name}/scale"));
}

TEST(OpenApiTest, ParsesDocumentPaths) {
  EXPECT_EQ(parseOpenApiPath("api/v1"), (std::pair<std::string, std::string>{"", "v1"}));
  EXPECT_EQ(parseOpenApiPath("/apis/coordination.k8s.io/v1"),
            (std::pair<std::string, std::string>{"coordination.k8s.io", "v1"}));
  EXPECT_FALSE(parseOpenApiPath("apis/apps"));
  EXPECT_FALSE(parseOpenApiPath("api/v1/pods"));
  EXPECT_FALSE(parseOpenApiPath("version"));
}

}  // namespace
}  // namespace berth::apiserver
