#include "agent/hollow_nodes.h"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

using nlohmann::json;

TEST(HollowNodesTest, PodStatusIsRunningAndReadyForEveryContainer) {
  json pod = json::parse(R"({"metadata":{"name":"p","namespace":"d","uid":"u1"},
      "spec":{"nodeName":"hollow-0","containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}})");
  json s = hollowPodStatus(pod, "2026-11-29T10:00:00Z", "10.255.0.1", "10.128.0.1");
  EXPECT_EQ(s["phase"], "Running");
  EXPECT_EQ(s["podIP"], "10.128.0.1");
  EXPECT_EQ(s["hostIP"], "10.255.0.1");
  ASSERT_EQ(s["containerStatuses"].size(), 2u);
  EXPECT_EQ(s["containerStatuses"][1]["name"], "b");
  EXPECT_EQ(s["containerStatuses"][1]["image"], "y");
  EXPECT_TRUE(s["containerStatuses"][1]["ready"].get<bool>());
  EXPECT_TRUE(s["containerStatuses"][0]["state"].contains("running"));
  bool ready = false;
  for (const auto& c : s["conditions"]) {
    if (c["type"] == "Ready") {
      ready = c["status"] == "True";
    }
  }
  EXPECT_TRUE(ready);
}

}  // namespace
}  // namespace berth::agent
