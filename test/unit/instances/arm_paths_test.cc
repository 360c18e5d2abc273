#include "instances/arm_paths.h"

#include <gtest/gtest.h>

namespace berth::instances {
namespace {

constexpr const char* kRg =
    "/subscriptions/sub-1/resourceGroups/My-RG/providers/"
    "Microsoft.ContainerInstance/containerGroups";

TEST(ArmPathsTest, GroupPathsAreParsedCaseInsensitively) {
  auto group = parseArmPath(std::string(kRg) + "/web");
  ASSERT_TRUE(group);
  EXPECT_EQ(group->target, ArmTarget::kGroup);
  EXPECT_EQ(group->subscriptionId, "sub-1");
  EXPECT_EQ(group->resourceGroup, "My-RG");
  EXPECT_EQ(group->name, "web");

  auto lower = parseArmPath(
      "/SUBSCRIPTIONS/sub-1/resourcegroups/My-RG/PROVIDERS/microsoft.containerinstance/"
      "containergroups/web/");
  ASSERT_TRUE(lower);
  EXPECT_EQ(*lower, *group);

  auto list = parseArmPath(kRg);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->target, ArmTarget::kListByResourceGroup);
  EXPECT_EQ(list->resourceGroup, "My-RG");
}

TEST(ArmPathsTest, ActionsLogsAndExec) {
  for (auto [suffix, target] :
       {std::pair{"/g/start", ArmTarget::kStart}, std::pair{"/g/Stop", ArmTarget::kStop},
        std::pair{"/g/restart", ArmTarget::kRestart}}) {
    auto path = parseArmPath(std::string(kRg) + suffix);
    ASSERT_TRUE(path) << suffix;
    EXPECT_EQ(path->target, target);
    EXPECT_EQ(path->name, "g");
  }
  auto logs = parseArmPath(std::string(kRg) + "/g/containers/web/logs");
  ASSERT_TRUE(logs);
  EXPECT_EQ(logs->target, ArmTarget::kLogs);
  EXPECT_EQ(logs->container, "web");
  auto exec = parseArmPath(std::string(kRg) + "/g/containers/web/exec");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->target, ArmTarget::kExec);
  EXPECT_FALSE(parseArmPath(std::string(kRg) + "/g/pause"));
  EXPECT_FALSE(parseArmPath(std::string(kRg) + "/g/containers/web"));
  EXPECT_FALSE(parseArmPath(std::string(kRg) + "/g/containers/web/attach"));
}

TEST(ArmPathsTest, SubscriptionScope) {
  constexpr const char* kSub = "/subscriptions/s/providers/Microsoft.ContainerInstance";
  auto list = parseArmPath(std::string(kSub) + "/containerGroups");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->target, ArmTarget::kListBySubscription);
  EXPECT_EQ(list->resourceGroup, "");
  auto op = parseArmPath(std::string(kSub) + "/locations/local/operations/abc");
  ASSERT_TRUE(op);
  EXPECT_EQ(op->target, ArmTarget::kOperation);
  EXPECT_EQ(op->location, "local");
  EXPECT_EQ(op->operationId, "abc");
  for (auto [leaf, target] : {std::pair{"usages", ArmTarget::kUsages},
                              std::pair{"capabilities", ArmTarget::kCapabilities},
                              std::pair{"cachedimages", ArmTarget::kCachedImages}}) {
    auto path = parseArmPath(std::string(kSub) + "/locations/westeurope/" + leaf);
    ASSERT_TRUE(path) << leaf;
    EXPECT_EQ(path->target, target);
    EXPECT_EQ(path->location, "westeurope");
  }
  // A group needs its resource group; other providers and shapes are not ours.
  EXPECT_FALSE(parseArmPath(std::string(kSub) + "/containerGroups/web"));
  EXPECT_FALSE(parseArmPath("/subscriptions/s/providers/Microsoft.Compute/virtualMachines"));
  EXPECT_FALSE(parseArmPath("/subscriptions/s/resourceGroups/rg"));
  EXPECT_FALSE(parseArmPath("/subscriptions//providers/Microsoft.ContainerInstance/usages"));
  EXPECT_FALSE(parseArmPath(""));
}

TEST(ArmPathsTest, MeteredUsageBySubscriptionAndResourceGroup) {
  auto sub =
      parseArmPath("/subscriptions/sub-1/providers/Microsoft.ContainerInstance/meteredUsage");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->target, ArmTarget::kMeteredUsage);
  EXPECT_EQ(sub->subscriptionId, "sub-1");
  EXPECT_EQ(sub->resourceGroup, "");
  auto rg = parseArmPath(
      "/subscriptions/sub-1/resourcegroups/My-RG/providers/Microsoft.ContainerInstance/"
      "meteredusage/");
  ASSERT_TRUE(rg);
  EXPECT_EQ(rg->target, ArmTarget::kMeteredUsage);
  EXPECT_EQ(rg->resourceGroup, "My-RG");
  EXPECT_FALSE(parseArmPath(
      "/subscriptions/sub-1/providers/Microsoft.ContainerInstance/meteredUsage/extra"));
}

}  // namespace
}  // namespace berth::instances
