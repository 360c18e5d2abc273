#include "scheduler/api_cluster_writer.h"

#include <gtest/gtest.h>

#include "test_objects.h"

namespace berth::scheduler {
namespace {

using nlohmann::json;

TEST(ApiClusterWriterTest, BindingObjectAsTheContractSays) {
  json b = bindingObject({"ns", "web", "u1"}, "n1");
  EXPECT_EQ(b, json::parse(R"({"apiVersion":"v1","kind":"Binding",
      "metadata":{"name":"web","namespace":"ns","uid":"u1"},
      "target":{"apiVersion":"v1","kind":"Node","name":"n1"}})"));
}

TEST(ApiClusterWriterTest, SetsPodScheduledFalseKeepingOtherConditions) {
  testing::FakeClock clock;
  json pod = testing::makePod("p");
  pod["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", "False"}}});
  ASSERT_TRUE(setPodScheduledFalse(pod, "Unschedulable", "m1", clock.now()));
  const json& conds = pod["status"]["conditions"];
  ASSERT_EQ(conds.size(), 2u);
  EXPECT_EQ(conds[0]["type"], "Ready");
  EXPECT_EQ(conds[1]["type"], "PodScheduled");
  EXPECT_EQ(conds[1]["status"], "False");
  EXPECT_EQ(conds[1]["reason"], "Unschedulable");
  EXPECT_EQ(conds[1]["message"], "m1");
  std::string since = conds[1]["lastTransitionTime"];

  EXPECT_FALSE(setPodScheduledFalse(pod, "Unschedulable", "m1", clock.now()));
  clock.advance(std::chrono::seconds(5));
  ASSERT_TRUE(setPodScheduledFalse(pod, "Unschedulable", "m2", clock.now()));
  EXPECT_EQ(pod["status"]["conditions"][1]["message"], "m2");
  EXPECT_EQ(pod["status"]["conditions"][1]["lastTransitionTime"], since);  // still False
}

TEST(ApiClusterWriterTest, EventFromDefaultScheduler) {
  testing::FakeClock clock;
  json e = schedulerEvent({"ns", "web", "u1"}, "Warning", "FailedScheduling", "msg", "inst",
                          clock.now());
  EXPECT_EQ(e["kind"], "Event");
  EXPECT_EQ(e["metadata"]["namespace"], "ns");
  EXPECT_TRUE(e["metadata"]["name"].get<std::string>().starts_with("web."));
  EXPECT_EQ(e["involvedObject"]["kind"], "Pod");
  EXPECT_EQ(e["involvedObject"]["uid"], "u1");
  EXPECT_EQ(e["source"]["component"], "default-scheduler");
  EXPECT_EQ(e["reportingComponent"], "default-scheduler");
  EXPECT_EQ(e["reportingInstance"], "inst");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "FailedScheduling");
  EXPECT_EQ(e["count"], 1);
  EXPECT_EQ(e["firstTimestamp"], e["lastTimestamp"]);
}

}  // namespace
}  // namespace berth::scheduler
