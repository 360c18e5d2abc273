#include "apiserver/protobuf_decode.h"

#include <gtest/gtest.h>

#include <string>

#include "protobuf_test_util.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;
using testing::pbBody;
using testing::pbBytes;
using testing::pbInt;
using testing::pbMapEntry;

std::string meta(std::string_view name) {
  return pbBytes(1, pbBytes(1, name));
}

// The error message of a decode that must fail with kInvalidArgument.
std::string errorOf(std::string_view body) {
  auto decoded = decodeKubernetesProtobuf(body);
  if (decoded.has_value()) {
    ADD_FAILURE() << "decoded: " << decoded->dump();
    return "";
  }
  EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidArgument);
  return decoded.error().message();
}

TEST(ProtobufDecode, RecognisesTheContentType) {
  EXPECT_TRUE(isKubernetesProtobuf("application/vnd.kubernetes.protobuf"));
  EXPECT_TRUE(isKubernetesProtobuf("application/vnd.kubernetes.protobuf; charset=binary"));
  EXPECT_TRUE(isKubernetesProtobuf("Application/VND.Kubernetes.Protobuf"));
  EXPECT_FALSE(isKubernetesProtobuf("application/json"));
  EXPECT_FALSE(isKubernetesProtobuf("application/vnd.kubernetes.protobuf.x"));
  EXPECT_FALSE(isKubernetesProtobuf(""));
}

TEST(ProtobufDecode, RejectsWrongMagic) {
  EXPECT_NE(errorOf("{\"kind\":\"Namespace\"}").find("magic"), std::string::npos);
  EXPECT_NE(errorOf("k8s").find("magic"), std::string::npos);
  EXPECT_NE(errorOf("").find("magic"), std::string::npos);
}

TEST(ProtobufDecode, RejectsUnknownKinds) {
  EXPECT_EQ(errorOf(pbBody("v1", "Pod", meta("x"))),
            "protobuf bodies are not supported for v1/Pod; send JSON");
  EXPECT_EQ(errorOf(pbBody("apps/v1", "StatefulSet", "")),
            "protobuf bodies are not supported for apps/v1/StatefulSet; send JSON");
}

TEST(ProtobufDecode, RejectsBadEnvelopes) {
  std::string magic("k8s\0", 4);
  EXPECT_NE(errorOf(magic + "\x0a\x05\x0a\x02v1").find("malformed"), std::string::npos);
  EXPECT_NE(errorOf(magic + pbBytes(2, meta("x"))).find("no kind"), std::string::npos);
  std::string gzip = magic + pbBytes(1, pbBytes(1, "v1") + pbBytes(2, "Namespace")) +
                     pbBytes(2, meta("x")) + pbBytes(3, "gzip");
  EXPECT_NE(errorOf(gzip).find("content encoding 'gzip'"), std::string::npos);
}

TEST(ProtobufDecode, RejectsMalformedObjects) {
  // ObjectMeta.generation (varint 7) cut inside its value.
  std::string truncatedVarint = pbBytes(1, std::string("\x38\xff", 2));
  EXPECT_EQ(errorOf(pbBody("v1", "Namespace", truncatedVarint)),
            "malformed protobuf body: v1/Namespace: metadata: truncated varint at offset 2");
  // metadata claims 16 bytes, 3 follow.
  std::string pastEnd("\x0a\x10\x0a\x01x", 5);
  EXPECT_NE(errorOf(pbBody("v1", "Namespace", pastEnd)).find("runs past the end"),
            std::string::npos);
  // ObjectMeta.name as a varint.
  EXPECT_NE(errorOf(pbBody("v1", "Namespace", pbBytes(1, pbInt(1, 5)))).find("name: field 1 is"),
            std::string::npos);
  // Invalid UTF-8 in a string.
  EXPECT_NE(errorOf(pbBody("v1", "Namespace", meta("\xff"))).find("UTF-8"), std::string::npos);
  // IntOrString of type 2.
  std::string port = pbBytes(1, pbBytes(4, pbInt(1, 2)));
  EXPECT_NE(errorOf(pbBody("v1", "Service", pbBytes(2, port))).find("IntOrString type 2"),
            std::string::npos);
}

TEST(ProtobufDecode, UnknownFieldsMustBeEmpty) {
  // Empty unknown fields are what Go writes for newer non-pointer fields: ignored.
  std::string raw = meta("ns") + pbBytes(99, "") + pbInt(98, 0);
  auto decoded = decodeKubernetesProtobuf(pbBody("v1", "Namespace", raw));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(*decoded, json::parse(R"({"apiVersion":"v1","kind":"Namespace",
                                      "metadata":{"name":"ns"}})"));
  // A value Berth would drop is an error, not silent data loss.
  EXPECT_EQ(errorOf(pbBody("v1", "Namespace", meta("ns") + pbInt(99, 1))),
            "v1/Namespace: field 99 of 'Namespace' is not supported; send JSON");
}

TEST(ProtobufDecode, EvictionWithDeleteOptions) {
  std::string preconditions = pbBytes(1, "u-1");
  std::string options =
      pbInt(1, 0) + pbBytes(2, preconditions) + pbBytes(4, "Foreground") + pbBytes(5, "All");
  std::string raw = pbBytes(1, pbBytes(1, "web-1") + pbBytes(3, "default")) + pbBytes(2, options);
  auto decoded = decodeKubernetesProtobuf(pbBody("policy/v1", "Eviction", raw));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  // gracePeriodSeconds is a pointer in Go: an explicit 0 is kept.
  EXPECT_EQ(*decoded, json::parse(R"({"apiVersion":"policy/v1","kind":"Eviction",
      "metadata":{"name":"web-1","namespace":"default"},
      "deleteOptions":{"gracePeriodSeconds":0,"preconditions":{"uid":"u-1"},
                       "propagationPolicy":"Foreground","dryRun":["All"]}})"));
}

TEST(ProtobufDecode, DeleteOptionsUnderMetaGroup) {
  std::string raw = pbInt(3, 1) + pbBytes(5, "All") + pbBytes(5, "Other");
  auto decoded = decodeKubernetesProtobuf(pbBody("meta.k8s.io/v1", "DeleteOptions", raw));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(*decoded, json::parse(R"({"apiVersion":"meta.k8s.io/v1","kind":"DeleteOptions",
                                      "orphanDependents":true,"dryRun":["All","Other"]})"));
}

TEST(ProtobufDecode, DeploymentWithEveryValueKind) {
  std::string quantity = pbBytes(1, "500m");
  std::string resources = pbMapEntry(1, "cpu", quantity) + pbMapEntry(2, "memory", "");
  std::string secretKeyRef = pbBytes(1, pbBytes(1, "creds")) + pbBytes(2, "password");
  std::string env = pbBytes(1, "PASSWORD") + pbBytes(3, pbBytes(4, secretKeyRef));
  std::string probe = pbBytes(1, pbBytes(2, pbBytes(1, "/healthz") +
                                                pbBytes(2, pbInt(1, 1) + pbBytes(3, "http")))) +
                      pbInt(2, 0) + pbInt(3, 5);
  std::string container = pbBytes(1, "app") + pbBytes(2, "busybox") + pbBytes(3, "sh") +
                          pbBytes(3, "-c") + pbBytes(7, env) + pbBytes(8, resources) +
                          pbBytes(10, probe) + pbInt(16, 0) + pbInt(18, 1);
  std::string volume = pbBytes(1, "scratch") + pbBytes(2, pbBytes(2, pbBytes(1, "Memory")));
  // supplementalGroups: one packed field (1, 2) and one unpacked element (3).
  std::string packed = pbBytes(4, std::string("\x01\x02", 2));
  std::string podSecurity = pbInt(2, 1000) + packed + pbInt(4, 3);
  std::string toleration = pbBytes(1, "node") + pbBytes(2, "Exists") + pbInt(5, 300);
  std::string podSpec = pbBytes(1, volume) + pbBytes(2, container) + pbInt(4, 30) +
                        pbBytes(14, podSecurity) + pbBytes(22, toleration) + pbInt(25, -5) +
                        pbMapEntry(7, "disk", "ssd");
  std::string created = pbBytes(8, pbInt(1, 1700000000) + pbInt(2, 5));
  std::string templ = pbBytes(1, pbMapEntry(11, "app", "web") + created) + pbBytes(2, podSpec);
  std::string rolling = pbBytes(1, pbInt(2, 1)) + pbBytes(2, pbInt(1, 1) + pbBytes(3, "25%"));
  std::string strategy = pbBytes(1, "RollingUpdate") + pbBytes(2, rolling);
  std::string spec = pbInt(1, 0) + pbBytes(2, pbMapEntry(1, "app", "web")) + pbBytes(3, templ) +
                     pbBytes(4, strategy) + pbInt(5, 0) + pbInt(7, 0);
  std::string raw =
      pbBytes(1, pbBytes(1, "web") + pbBytes(8, "")) + pbBytes(2, spec) + pbBytes(3, "");

  auto decoded = decodeKubernetesProtobuf(pbBody("apps/v1", "Deployment", raw));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  json expected = json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
      "replicas": 0,
      "selector": {"matchLabels": {"app": "web"}},
      "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}},
      "template": {
        "metadata": {"labels": {"app": "web"}, "creationTimestamp": "2023-11-14T22:13:20Z"},
        "spec": {
          "volumes": [{"name": "scratch", "emptyDir": {"medium": "Memory"}}],
          "containers": [{
            "name": "app", "image": "busybox", "command": ["sh", "-c"], "tty": true,
            "env": [{"name": "PASSWORD",
                     "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}}],
            "resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "0"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"},
                              "timeoutSeconds": 5}
          }],
          "terminationGracePeriodSeconds": 30,
          "nodeSelector": {"disk": "ssd"},
          "securityContext": {"runAsUser": 1000, "supplementalGroups": [1, 2, 3]},
          "tolerations": [{"key": "node", "operator": "Exists", "tolerationSeconds": 300}],
          "priority": -5
        }
      }
    },
    "status": {}
  })");
  EXPECT_EQ(*decoded, expected) << json::diff(expected, *decoded).dump();
}

TEST(ProtobufDecode, SecretBytesAndManagedFields) {
  std::string entry = pbBytes(1, "manager") + pbBytes(2, "Update") + pbBytes(4, pbInt(1, 0)) +
                      pbBytes(6, "FieldsV1") + pbBytes(7, pbBytes(1, R"({"f:data":{}})"));
  std::string metadata = pbBytes(1, "s") + pbBytes(17, entry);
  std::string raw = pbBytes(1, metadata) + pbMapEntry(2, "key", std::string("\0\xff", 2)) +
                    pbMapEntry(4, "plain", "text") + pbBytes(3, "Opaque") + pbInt(5, 0);
  auto decoded = decodeKubernetesProtobuf(pbBody("v1", "Secret", raw));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(*decoded, json::parse(R"({"apiVersion":"v1","kind":"Secret",
      "metadata":{"name":"s","managedFields":[{"manager":"manager","operation":"Update",
          "time":"1970-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{}}}]},
      "data":{"key":"AP8="},"stringData":{"plain":"text"},"type":"Opaque","immutable":false})"));
}

TEST(ProtobufDecode, MessageLevelApi) {
  auto decoded = protobuf::findKind("v1", "ConfigMap");
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(protobuf::findKind("v1", "Pod"), nullptr);
  auto object = decodeProtobufMessage(*decoded, meta("cfg") + pbMapEntry(2, "a", ""));
  ASSERT_TRUE(object.has_value()) << object.error().message();
  EXPECT_EQ(*object, json::parse(R"({"metadata":{"name":"cfg"},"data":{"a":""}})"));
}

}  // namespace
}  // namespace berth::apiserver
