// Decodes the request bodies kubectl 1.32 really sent (captured with
// scripts/dev/capture-kubectl-bodies.py) and compares them with the JSON kubectl 1.31 sent for
// the same commands.
//
// testdata/protobuf/<case>.pb               body of kubectl 1.32 (magic + envelope + object)
// testdata/protobuf/<case>.kubectl131.json  body of kubectl 1.31 for the same command (JSON)
// testdata/protobuf/<case>.json             the expected decode: the 1.31 JSON without nulls

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "apiserver/protobuf_decode.h"
#include "base/files.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

const char* const kCases[] = {
    "namespace",
    "configmap",
    "configmap_binary",
    "secret",
    "secret_docker",
    "deployment",
    "deployment_multi",
    "service_clusterip",
    "service_headless",
    "service_nodeport",
    "service_externalname",
    "job",
    "cronjob",
    "hpa",
    "drain_delete",
};

std::string fixturePath(const std::string& name) {
  return std::string(BERTH_SOURCE_DIR) + "/test/unit/apiserver/testdata/protobuf/" + name;
}

std::string readFixture(const std::string& name) {
  auto content = files::read(fixturePath(name));
  EXPECT_TRUE(content.has_value()) << name;
  return content.value_or("");
}

// Go writes zero metav1.Time as null; the decoder omits it (see protobuf_decode.h).
json withoutNulls(const json& value) {
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, item] : value.items()) {
      if (!item.is_null()) {
        out[key] = withoutNulls(item);
      }
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) {
      out.push_back(withoutNulls(item));
    }
    return out;
  }
  return value;
}

class ProtobufFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(ProtobufFixture, DecodesToTheJsonKubectlSends) {
  std::string name = GetParam();
  std::string body = readFixture(name + ".pb");
  ASSERT_TRUE(body.starts_with(std::string("k8s\0", 4)));
  json expected = json::parse(readFixture(name + ".json"));

  auto decoded = decodeKubernetesProtobuf(body);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(*decoded, expected) << "diff: " << json::diff(expected, *decoded).dump();
  // The decoded object also dumps (valid UTF-8 throughout).
  EXPECT_NO_THROW((void)decoded->dump());
}

TEST_P(ProtobufFixture, ExpectedJsonIsWhatKubectl131Sent) {
  std::string name = GetParam();
  json sent = json::parse(readFixture(name + ".kubectl131.json"));
  EXPECT_EQ(json::parse(readFixture(name + ".json")), withoutNulls(sent));
}

// Every truncation of a real body is a clean error: the envelope's `raw` is length-prefixed, so
// any cut before its end must fail; cuts inside the trailing empty contentEncoding/contentType
// fields may decode or fail, but never crash.
TEST_P(ProtobufFixture, TruncationsFailCleanly) {
  std::string body = readFixture(std::string(GetParam()) + ".pb");
  ASSERT_GT(body.size(), 8u);
  for (size_t length = 0; length < body.size(); ++length) {
    auto decoded = decodeKubernetesProtobuf(std::string_view(body).substr(0, length));
    if (length < body.size() - 4) {
      ASSERT_FALSE(decoded.has_value()) << "length " << length;
      EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

// Byte mutations: each byte replaced by a few values. Results vary; the decoder must return,
// and whatever it returns must be dumpable JSON.
TEST_P(ProtobufFixture, MutationsNeverCrash) {
  std::string body = readFixture(std::string(GetParam()) + ".pb");
  int decodedCount = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    for (unsigned char value : {0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12}) {
      std::string mutated = body;
      mutated[i] = static_cast<char>(value);
      auto decoded = decodeKubernetesProtobuf(mutated);
      if (decoded.has_value()) {
        ++decodedCount;
        EXPECT_NO_THROW((void)decoded->dump());
      } else {
        EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidArgument);
      }
    }
  }
  EXPECT_GT(decodedCount, 0);  // some mutations only change a value
}

INSTANTIATE_TEST_SUITE_P(Kubectl132, ProtobufFixture, ::testing::ValuesIn(kCases));

TEST(ProtobufFixtures, HorizontalPodAutoscalerKeepsZeroStatusCounts) {
  // autoscaling/v1 status counts are not omitempty: Go sends 0 and so must the decoder.
  auto decoded = decodeKubernetesProtobuf(readFixture("hpa.pb"));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ((*decoded)["status"], json::parse(R"({"currentReplicas":0,"desiredReplicas":0})"));
  EXPECT_EQ((*decoded)["spec"]["scaleTargetRef"]["apiVersion"], "apps/v1");
  EXPECT_EQ((*decoded)["spec"]["targetCPUUtilizationPercentage"], 80);
}

TEST(ProtobufFixtures, DrainDeleteOptions) {
  auto decoded = decodeKubernetesProtobuf(readFixture("drain_delete.pb"));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(*decoded,
            json::parse(R"({"apiVersion":"v1","kind":"DeleteOptions","gracePeriodSeconds":10})"));
}

}  // namespace
}  // namespace berth::apiserver
