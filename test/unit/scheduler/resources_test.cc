#include "scheduler/resources.h"

#include <gtest/gtest.h>

#include "scheduler/objects.h"
#include "test_objects.h"

namespace berth::scheduler {
namespace {

using testing::makePod;

TEST(ResourcesTest, ParsesQuantitiesOfAResourceList) {
  Resources r = parseResourceList({{"cpu", "500m"},
                                   {"memory", "1Gi"},
                                   {"pods", "110"},
                                   {"ephemeral-storage", "10G"},
                                   {"example.com/gpu", "2"},
                                   {"hugepages-2Mi", "4Mi"},
                                   {"storage", "1Gi"}});
  EXPECT_EQ(r.milliCpu, 500);
  EXPECT_EQ(r.memory, 1073741824);
  EXPECT_EQ(r.allowedPods, 110);
  EXPECT_EQ(r.ephemeralStorage, 10'000'000'000);
  EXPECT_EQ(r.scalar.at("example.com/gpu"), 2);
  EXPECT_EQ(r.scalar.at("hugepages-2Mi"), 4 * 1024 * 1024);
  EXPECT_FALSE(r.scalar.contains("storage"));
}

TEST(ResourcesTest, CpuAsNumberAndWholeCores) {
  Resources r = parseResourceList({{"cpu", 2}, {"memory", "128974848"}});
  EXPECT_EQ(r.milliCpu, 2000);
  EXPECT_EQ(r.memory, 128974848);
}

TEST(ResourcesTest, PodRequestsSumContainersMaxInitAndAddOverhead) {
  auto pod = makePod("p", "1", "1G");
  pod["spec"]["containers"].push_back(
      {{"name", "d"}, {"resources", {{"requests", {{"cpu", "1"}, {"memory", "1G"}}}}}});
  pod["spec"]["initContainers"] = nlohmann::json::array(
      {{{"name", "i1"}, {"resources", {{"requests", {{"cpu", "3"}, {"memory", "500M"}}}}}},
       {{"name", "i2"}, {"resources", {{"requests", {{"memory", "3G"}}}}}}});
  pod["spec"]["overhead"] = {{"cpu", "250m"}};
  Resources r = podRequests(pod, false);
  EXPECT_EQ(r.milliCpu, 3250);         // max(2, 3) + 0.25
  EXPECT_EQ(r.memory, 3'000'000'000);  // max(2G, 3G)
}

TEST(ResourcesTest, SidecarInitContainersAddToTheSum) {
  auto pod = makePod("p", "1");
  pod["spec"]["initContainers"] = nlohmann::json::array(
      {{{"name", "side"},
        {"restartPolicy", "Always"},
        {"resources", {{"requests", {{"cpu", "500m"}}}}}},
       {{"name", "init"}, {"resources", {{"requests", {{"cpu", "1200m"}}}}}}});
  // containers 1 + sidecar 0.5 = 1.5; init runs beside the sidecar: 1.2 + 0.5 = 1.7.
  EXPECT_EQ(podRequests(pod, false).milliCpu, 1700);
}

TEST(ResourcesTest, LimitsStandInForMissingRequests) {
  auto pod = makePod("p");
  pod["spec"]["containers"][0]["resources"] = {{"limits", {{"cpu", "2"}, {"memory", "1Gi"}}},
                                               {"requests", {{"cpu", "100m"}}}};
  Resources r = podRequests(pod, false);
  EXPECT_EQ(r.milliCpu, 100);
  EXPECT_EQ(r.memory, 1073741824);
}

TEST(ResourcesTest, NonZeroRequestsDefaultMissingCpuAndMemory) {
  auto pod = makePod("p", "", "");
  pod["spec"]["containers"].push_back(
      {{"name", "d"}, {"resources", {{"requests", {{"cpu", "0"}}}}}});
  Resources r = podRequests(pod, true);
  EXPECT_EQ(r.milliCpu, 100);  // 100m default + explicit 0
  EXPECT_EQ(r.memory, 2 * kDefaultMemoryRequest);
  EXPECT_TRUE(podRequests(pod, false).isZero());
}

TEST(ObjectsTest, ParsesPodFields) {
  auto pod = makePod("web", "500m", "1Gi");
  pod["spec"]["priority"] = 7;
  pod["spec"]["nodeSelector"] = {{"disk", "ssd"}};
  pod["spec"]["tolerations"] = nlohmann::json::array({{{"operator", "Exists"}}});
  pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:01Z";
  pod["status"]["conditions"] =
      nlohmann::json::array({{{"type", "PodScheduled"}, {"status", "False"}, {"message", "m"}}});
  PodInfoPtr p = parsePod(pod);
  EXPECT_EQ(p->key, "default/web");
  EXPECT_EQ(p->priority, 7);
  EXPECT_TRUE(p->deleting);
  EXPECT_EQ(p->requests.milliCpu, 500);
  EXPECT_EQ(p->nodeSelector.at("disk"), "ssd");
  ASSERT_EQ(p->tolerations.size(), 1u);
  EXPECT_EQ(p->tolerations[0].op, "Exists");
  EXPECT_EQ(p->scheduledConditionStatus, "False");
  EXPECT_EQ(p->scheduledConditionMessage, "m");
  EXPECT_FALSE(p->requiredNodeAffinity.has_value());
}

}  // namespace
}  // namespace berth::scheduler
