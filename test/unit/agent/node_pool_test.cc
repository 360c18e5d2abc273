// Node pools: `berth agent --pool instances` labels and taints its Node, `berth up` only labels
// it; container-group pods select that label and tolerate that taint.

#include <gtest/gtest.h>

#include <mutex>

#include "agent/node_registration.h"
#include "base/clock.h"
#include "fake_api_server.h"
#include "instances/pod_naming.h"

namespace berth::agent {
namespace {

using nlohmann::json;

NodeInputs inputs(const std::string& pool, bool taint) {
  NodeInputs in;
  in.nodeName = "node-1";
  in.cpuCores = 2;
  in.memoryKi = 4'000'000;
  in.pool = pool;
  in.taintPool = taint;
  return in;
}

TEST(NodePoolTest, PoolConstantsAreTheOnesInstancePodsUse) {
  EXPECT_STREQ(kPoolLabel, instances::kPoolLabel);
  EXPECT_STREQ(kInstancesPool, instances::kPoolValue);
}

TEST(NodePoolTest, DedicatedPoolNodeIsLabelledAndTainted) {
  json node = buildNode(inputs(kInstancesPool, true), "2026-11-29T06:41:02Z");
  EXPECT_EQ(node["metadata"]["labels"]["berth.io/pool"], "instances");
  EXPECT_EQ(node["metadata"]["labels"]["kubernetes.io/hostname"], "node-1");
  ASSERT_TRUE(node["spec"].contains("taints"));
  ASSERT_EQ(node["spec"]["taints"].size(), 1u);
  const json& taint = node["spec"]["taints"][0];
  EXPECT_EQ(taint["key"], "berth.io/pool");
  EXPECT_EQ(taint["value"], "instances");
  EXPECT_EQ(taint["effect"], "NoSchedule");
}

TEST(NodePoolTest, SharedNodeIsLabelledOnly) {
  json node = buildNode(inputs(kInstancesPool, false), "2026-11-29T06:41:02Z");
  EXPECT_EQ(node["metadata"]["labels"]["berth.io/pool"], "instances");
  EXPECT_FALSE(node["spec"].contains("taints"));
}

TEST(NodePoolTest, NoPoolNoLabelNoTaint) {
  json node = buildNode(inputs("", true), "2026-11-29T06:41:02Z");
  EXPECT_FALSE(node["metadata"]["labels"].contains("berth.io/pool"));
  EXPECT_EQ(node["spec"], json::object());
}

TEST(NodePoolTest, ExistingNodeGetsThePoolLabelAndTaintKeepingOtherTaints) {
  std::mutex mu;
  json patchBody;
  testing::FakeApiServer server([&](const http::Request& req) -> testing::Reply {
    if (req.method == "POST") {
      return testing::Reply::error(409, "AlreadyExists", "nodes \"node-1\" already exists");
    }
    if (req.method == "PATCH") {
      std::lock_guard lock(mu);
      patchBody = json::parse(req.body);
      return {200, json::object()};
    }
    if (req.method == "GET") {
      json node = {
          {"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", "node-1"}, {"resourceVersion", "5"}}},
          {"spec",
           {{"taints",
             json::array({{{"key", "dedicated"}, {"value", "gpu"}, {"effect", "NoExecute"}}})}}},
          {"status", json::object()}};
      return {200, node};
    }
    return {200, json::parse(req.body.empty() ? "{}" : req.body)};
  });
  ASSERT_TRUE(server.start());
  client::ApiClient client(server.clientConfig());
  RealClock clock;
  NodeRegistration registration(client, inputs(kInstancesPool, true), {}, clock);
  auto s = registration.registerNode();
  ASSERT_TRUE(s) << s.error().message();
  std::lock_guard lock(mu);
  ASSERT_TRUE(patchBody.is_object());
  EXPECT_EQ(patchBody["metadata"]["labels"]["berth.io/pool"], "instances");
  const json& taints = patchBody["spec"]["taints"];
  ASSERT_EQ(taints.size(), 2u);
  EXPECT_EQ(taints[0]["key"], "dedicated");
  EXPECT_EQ(taints[1]["key"], "berth.io/pool");
  EXPECT_EQ(taints[1]["effect"], "NoSchedule");
}

}  // namespace
}  // namespace berth::agent
