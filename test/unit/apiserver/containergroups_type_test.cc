#include <gtest/gtest.h>

#include "apiserver/builtin_types.h"
#include "apiserver/human_duration.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

json validGroup() {
  return {{"apiVersion", "instances.berth.io/v1"},
          {"kind", "ContainerGroup"},
          {"metadata",
           {{"name", "web"},
            {"namespace", "aci-rg-0123456789"},
            {"creationTimestamp", "2024-05-01T08:00:00Z"}}},
          {"spec", {{"group", {{"location", "local"}}}, {"desiredState", "Running"}}},
          {"status", {{"provisioningState", "Pending"}}}};
}

std::vector<std::string> fields(const std::vector<Cause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) {
    out.push_back(c.field);
  }
  return out;
}

TEST(ContainerGroupTypeTest, Shape) {
  ResourceType t = containerGroupType();
  EXPECT_EQ(t.apiVersion(), "instances.berth.io/v1");
  EXPECT_EQ(t.kind, "ContainerGroup");
  EXPECT_TRUE(t.namespaced);
  EXPECT_TRUE(t.hasStatus);
  EXPECT_TRUE(t.hasGeneration);
  EXPECT_EQ(t.subresources, std::vector<std::string>{"status"});
  ResourceRegistry registry;
  registerBuiltinTypes(registry);
  EXPECT_NE(registry.find("instances.berth.io", "v1", "containergroups"), nullptr);
}

TEST(ContainerGroupTypeTest, Validation) {
  ResourceType t = containerGroupType();
  EXPECT_TRUE(t.validate(validGroup(), nullptr).empty());

  json noSpec = validGroup();
  noSpec.erase("spec");
  EXPECT_EQ(fields(t.validate(noSpec, nullptr)), std::vector<std::string>{"spec"});

  json badState = validGroup();
  badState["spec"]["desiredState"] = "Paused";
  badState["spec"]["restartedAt"] = "yesterday";
  badState["spec"].erase("group");
  EXPECT_EQ(fields(t.validate(badState, nullptr)),
            (std::vector<std::string>{"spec.group", "spec.desiredState", "spec.restartedAt"}));

  json badName = validGroup();
  badName["metadata"]["name"] = "web.group";  // a DNS-1123 label, like the ARM name
  EXPECT_EQ(fields(t.validate(badName, nullptr)), std::vector<std::string>{"metadata.name"});

  json defaulted = validGroup();
  defaulted["spec"].erase("desiredState");
  t.defaults(defaulted);
  EXPECT_EQ(defaulted["spec"]["desiredState"], "Running");
}

TEST(ContainerGroupTypeTest, Row) {
  ResourceType t = containerGroupType([] { return *parseRfc3339("2024-05-01T09:00:00Z"); });
  auto row = t.row(validGroup());
  ASSERT_EQ(row.size(), t.columns.size());
  EXPECT_EQ(row[0], "web");
  EXPECT_EQ(row[1], "Pending");
  EXPECT_EQ(row[2], "Running");
  EXPECT_EQ(row[3], "60m");
}

}  // namespace
}  // namespace berth::apiserver
