#include <gtest/gtest.h>

#include "agent/api_object_resolver.h"
#include "agent/api_pod_changes.h"
#include "base/base64.h"

namespace berth::agent {
namespace {

using nlohmann::json;

json podJson(const std::string& name, const std::string& uid, const std::string& phase = "") {
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", uid}}},
      {"spec",
       {{"nodeName", "n1"}, {"containers", json::array({{{"name", "c"}, {"image", "bb:1"}}})}}},
      {"status", {{"phase", phase.empty() ? "Pending" : phase}}},
  };
  return pod;
}

TEST(ApiPodSourceTest, DesiredPodsAreDecodedAndDefaulted) {
  auto pods = desiredPods({podJson("a", "u1")}, {});
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_TRUE(pods[0].invalidMessage.empty());
  EXPECT_EQ(pods[0].pod.metadata.uid, "u1");
  EXPECT_EQ(pods[0].pod.spec.restartPolicy, "Always");
  EXPECT_EQ(pods[0].pod.spec.containers[0].imagePullPolicy, "IfNotPresent");
  EXPECT_TRUE(pods[0].pod.status.phase.empty());  // the loop computes its own
}

TEST(ApiPodSourceTest, UndecodablePodsAreShownNotRun) {
  json bad = podJson("b", "u2");
  bad["spec"]["containers"][0]["ports"] = json::array({{{"containerPort", "eighty"}}});
  bad["metadata"]["deletionTimestamp"] = "2026-11-29T06:41:02Z";
  auto pods = desiredPods({bad}, {});
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod.metadata.name, "b");
  EXPECT_EQ(pods[0].pod.metadata.namespace_, "default");
  EXPECT_EQ(pods[0].pod.metadata.uid, "u2");
  EXPECT_TRUE(pods[0].pod.metadata.deletionTimestamp.has_value());
  EXPECT_NE(pods[0].invalidMessage.find("spec.containers[0].ports[0].containerPort"),
            std::string::npos)
      << pods[0].invalidMessage;
}

TEST(ApiPodSourceTest, FinishedPodsAreNotStartedAgain) {
  std::vector<json> objects = {podJson("done", "u3", "Succeeded"), podJson("dead", "u4", "Failed"),
                               podJson("run", "u5", "Running")};
  auto pods = desiredPods(objects, {});
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod.metadata.uid, "u5");
  // Known to the loop: kept, so that it is not torn down (its logs stay).
  pods = desiredPods(objects, {"u3"});
  ASSERT_EQ(pods.size(), 2u);
}

TEST(ApiPodSourceTest, DeletionIsPassedOn) {
  json deleting = podJson("d", "u6", "Running");
  deleting["metadata"]["deletionTimestamp"] = "2026-11-29T06:41:02Z";
  deleting["metadata"]["deletionGracePeriodSeconds"] = 5;
  auto pods = desiredPods({deleting}, {});
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod.metadata.deletionTimestamp, "2026-11-29T06:41:02Z");
  EXPECT_EQ(pods[0].pod.metadata.deletionGracePeriodSeconds, 5);
}

TEST(ApiObjectResolverTest, DecodesSecretsAndBinaryData) {
  EXPECT_EQ(*base64Decode("aGVsbG8=", Base64Mode::kLenient), "hello");
  EXPECT_EQ(*base64Decode("aGVsbG8", Base64Mode::kLenient), "hello");
  EXPECT_EQ(*base64Decode("aGVs\nbG8h", Base64Mode::kLenient), "hello!");
  EXPECT_EQ(*base64Decode("", Base64Mode::kLenient), "");
  EXPECT_FALSE(base64Decode("a$b=", Base64Mode::kLenient));
  EXPECT_FALSE(base64Decode("aGVsbG8=x", Base64Mode::kLenient));

  json cm = {{"data", {{"a", "1"}}}, {"binaryData", {{"b", "AAEC"}}}};
  auto data = configMapData(cm);
  ASSERT_TRUE(data);
  EXPECT_EQ(data->at("a"), "1");
  EXPECT_EQ(data->at("b"), std::string("\0\1\2", 3));

  json secret = {{"data", {{"password", "czNjcmV0IQ=="}}}, {"type", "Opaque"}};
  data = secretData(secret);
  ASSERT_TRUE(data);
  EXPECT_EQ(data->at("password"), "s3cret!");

  auto bad = secretData(json{{"data", {{"password", "!!!"}}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "data[password]: invalid base64");
  EXPECT_TRUE(secretData(json::object())->empty());
}

}  // namespace
}  // namespace berth::agent
