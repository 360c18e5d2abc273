#include "apiserver/request_info.h"

#include <gtest/gtest.h>

namespace berth::apiserver {
namespace {

RequestInfo parse(std::string_view path) {
  auto info = parseRequestPath(path);
  EXPECT_TRUE(info) << path;
  return info.value_or(RequestInfo{});
}

TEST(RequestInfoTest, CoreNamespacedAndClusterPaths) {
  auto log = parse("/api/v1/namespaces/default/pods/web/log");
  EXPECT_EQ(log.group, "");
  EXPECT_EQ(log.version, "v1");
  EXPECT_EQ(log.namespace_, "default");
  EXPECT_EQ(log.resource, "pods");
  EXPECT_EQ(log.name, "web");
  EXPECT_EQ(log.subresource, "log");

  auto all = parse("/api/v1/pods");
  EXPECT_EQ(all.namespace_, "");
  EXPECT_EQ(all.resource, "pods");
  EXPECT_EQ(all.name, "");

  auto list = parse("/api/v1/namespaces/default/pods");
  EXPECT_EQ(list.namespace_, "default");
  EXPECT_EQ(list.resource, "pods");
}

TEST(RequestInfoTest, NamespacesThemselves) {
  auto ns = parse("/api/v1/namespaces/team-a");
  EXPECT_EQ(ns.resource, "namespaces");
  EXPECT_EQ(ns.name, "team-a");
  EXPECT_EQ(ns.namespace_, "");
  auto status = parse("/api/v1/namespaces/team-a/status");
  EXPECT_EQ(status.resource, "namespaces");
  EXPECT_EQ(status.name, "team-a");
  EXPECT_EQ(status.subresource, "status");
}

TEST(RequestInfoTest, GroupsAndEscapes) {
  auto lease = parse("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n%2D1");
  EXPECT_EQ(lease.group, "coordination.k8s.io");
  EXPECT_EQ(lease.version, "v1");
  EXPECT_EQ(lease.name, "n-1");
}

TEST(RequestInfoTest, NonResourcePathsAreNotFound) {
  for (const char* path :
       {"/", "/api", "/apis/apps", "/healthz", "/api/v1/namespaces/a/pods/b/c/d"}) {
    auto info = parseRequestPath(path);
    EXPECT_FALSE(info) << path;
  }
}

}  // namespace
}  // namespace berth::apiserver
