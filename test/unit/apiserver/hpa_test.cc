// HorizontalPodAutoscaler: v1 <-> v2 conversion, defaults, validation messages, the TARGETS
// column, and both versions served over the same stored objects by a real in-process server.

#include <gtest/gtest.h>

#include <filesystem>

#include "apiserver/api_server.h"
#include "apiserver/builtin_types.h"
#include "apiserver/hpa_conversion.h"
#include "apiserver/human_duration.h"
#include "base/random.h"
#include "http/client.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

// A valid autoscaling/v2 HPA as stored (defaulted).
json v2Hpa() {
  json object = json::parse(R"({
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {
      "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
      "minReplicas": 2, "maxReplicas": 5,
      "metrics": [
        {"type": "Resource", "resource": {"name": "cpu",
          "target": {"type": "Utilization", "averageUtilization": 70}}},
        {"type": "Resource", "resource": {"name": "memory",
          "target": {"type": "AverageValue", "averageValue": "500Mi"}}}
      ],
      "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}
    },
    "status": {
      "currentReplicas": 3, "desiredReplicas": 3,
      "currentMetrics": [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 12}}},
        {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "10Mi"}}}
      ],
      "conditions": [{"type": "AbleToScale", "status": "True"}]
    }
  })");
  hpa::defaultV2(object);
  return object;
}

TEST(HpaConversionTest, V2ToV1CarriesCpuInFieldsAndTheRestInAnnotations) {
  json v1 = hpa::toV1(v2Hpa());
  EXPECT_EQ(v1["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(v1["spec"]["targetCPUUtilizationPercentage"], 70);
  EXPECT_EQ(v1["spec"]["minReplicas"], 2);
  EXPECT_EQ(v1["spec"]["maxReplicas"], 5);
  EXPECT_EQ(v1["spec"]["scaleTargetRef"]["kind"], "Deployment");
  EXPECT_FALSE(v1["spec"].contains("metrics"));
  EXPECT_FALSE(v1["spec"].contains("behavior"));
  EXPECT_EQ(v1["status"]["currentCPUUtilizationPercentage"], 12);
  EXPECT_EQ(v1["status"]["currentReplicas"], 3);
  const json& annotations = v1["metadata"]["annotations"];
  json others = json::parse(annotations[std::string(hpa::kMetricsAnnotation)].get<std::string>());
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(others[0]["resource"]["name"], "memory");
  EXPECT_TRUE(annotations.contains(std::string(hpa::kCurrentMetricsAnnotation)));
  EXPECT_TRUE(annotations.contains(std::string(hpa::kConditionsAnnotation)));
  EXPECT_TRUE(annotations.contains(std::string(hpa::kBehaviorAnnotation)));
}

TEST(HpaConversionTest, RoundTripV2V1V2IsLossless) {
  json original = v2Hpa();
  json back = hpa::toV2(hpa::toV1(original));
  EXPECT_EQ(back, original) << back.dump(2);
}

TEST(HpaConversionTest, V1ToV2BuildsTheCpuMetric) {
  json v1 = {{"apiVersion", "autoscaling/v1"},
             {"kind", "HorizontalPodAutoscaler"},
             {"metadata", {{"name", "web"}}},
             {"spec",
              {{"scaleTargetRef", {{"kind", "Deployment"}, {"name", "web"}}},
               {"maxReplicas", 5},
               {"targetCPUUtilizationPercentage", 80}}},
             {"status", {{"currentCPUUtilizationPercentage", 40}, {"desiredReplicas", 1}}}};
  json v2 = hpa::toV2(v1);
  EXPECT_EQ(v2["apiVersion"], "autoscaling/v2");
  ASSERT_EQ(v2["spec"]["metrics"].size(), 1u);
  const json& metric = v2["spec"]["metrics"][0];
  EXPECT_EQ(metric["type"], "Resource");
  EXPECT_EQ(metric["resource"]["name"], "cpu");
  EXPECT_EQ(metric["resource"]["target"]["type"], "Utilization");
  EXPECT_EQ(metric["resource"]["target"]["averageUtilization"], 80);
  EXPECT_EQ(v2["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"], 40);
  EXPECT_FALSE(v2["metadata"].contains("annotations"));
  // And back: as in Kubernetes, the v1 view also keeps the raw current metrics.
  json back = hpa::toV1(v2);
  EXPECT_EQ(back["spec"], v1["spec"]);
  EXPECT_EQ(back["status"], v1["status"]);
  EXPECT_TRUE(
      back["metadata"]["annotations"].contains(std::string(hpa::kCurrentMetricsAnnotation)));
  EXPECT_EQ(hpa::toV2(back), v2);
}

TEST(HpaConversionTest, V1WithoutTargetGetsCpu80) {
  json v1 = {{"spec", {{"maxReplicas", 3}}}};
  json v2 = hpa::toV2(v1);
  EXPECT_EQ(v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            hpa::kDefaultCpuUtilization);
}

TEST(HpaDefaultsTest, V2Defaults) {
  json object = {{"spec", {{"maxReplicas", 3}}}};
  hpa::defaultV2(object);
  EXPECT_EQ(object["spec"]["minReplicas"], 1);
  EXPECT_EQ(object["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
  EXPECT_FALSE(object["spec"].contains("behavior"));  // as Kubernetes: only when given

  json withBehavior = {{"spec", {{"maxReplicas", 3}, {"behavior", json::object()}}}};
  hpa::defaultV2(withBehavior);
  const json& up = withBehavior["spec"]["behavior"]["scaleUp"];
  EXPECT_EQ(up["stabilizationWindowSeconds"], 0);
  EXPECT_EQ(up["selectPolicy"], "Max");
  EXPECT_EQ(up["policies"], json::parse(R"([{"type":"Pods","value":4,"periodSeconds":15},
                                             {"type":"Percent","value":100,"periodSeconds":15}])"));
  const json& down = withBehavior["spec"]["behavior"]["scaleDown"];
  EXPECT_EQ(down["selectPolicy"], "Max");
  EXPECT_EQ(down["policies"],
            json::parse(R"([{"type":"Percent","value":100,"periodSeconds":15}])"));
  EXPECT_FALSE(down.contains("stabilizationWindowSeconds"));

  json partial = {{"spec", {{"behavior", {{"scaleDown", {{"stabilizationWindowSeconds", 60}}}}}}}};
  hpa::defaultV2(partial);
  EXPECT_EQ(partial["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"], 60);
  EXPECT_EQ(partial["spec"]["behavior"]["scaleDown"]["selectPolicy"], "Max");
}

std::vector<std::string> messages(const std::vector<Cause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) {
    out.push_back(c.field + ": " + c.message);
  }
  return out;
}

TEST(HpaValidationTest, KubernetesMessages) {
  ResourceType type = horizontalPodAutoscalerType();
  json object = v2Hpa();
  EXPECT_TRUE(type.validate(object, nullptr).empty())
      << testing::PrintToString(messages(type.validate(object, nullptr)));

  object["spec"]["minReplicas"] = 3;
  object["spec"]["maxReplicas"] = 1;
  EXPECT_EQ(messages(type.validate(object, nullptr)),
            std::vector<std::string>{
                "spec.maxReplicas: Invalid value: 1: must be greater than or equal to "
                "`minReplicas`"});

  object["spec"]["minReplicas"] = 0;
  object["spec"]["maxReplicas"] = 0;
  auto causes = messages(type.validate(object, nullptr));
  EXPECT_NE(std::find(causes.begin(), causes.end(),
                      "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"),
            causes.end());
  EXPECT_NE(std::find(causes.begin(), causes.end(),
                      "spec.maxReplicas: Invalid value: 0: must be greater than 0"),
            causes.end());

  json ref = v2Hpa();
  ref["spec"]["scaleTargetRef"] = json::object();
  ref["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] = 0;
  EXPECT_EQ(
      messages(type.validate(ref, nullptr)),
      (std::vector<std::string>{
          "spec.scaleTargetRef.kind: Required value", "spec.scaleTargetRef.name: Required value",
          "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be "
          "greater than 0"}));

  json behavior = v2Hpa();
  behavior["spec"]["behavior"] = {
      {"scaleUp", {{"policies", {{{"type", "Pods"}, {"value", 0}, {"periodSeconds", 15}}}}}}};
  EXPECT_EQ(messages(type.validate(behavior, nullptr)),
            std::vector<std::string>{
                "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater "
                "than zero"});
}

TEST(HpaValidationTest, V1IsValidatedInItsV2Form) {
  ResourceType type = horizontalPodAutoscalerV1Type();
  json v1 = {{"metadata", {{"name", "web"}, {"namespace", "default"}}},
             {"spec",
              {{"scaleTargetRef", {{"kind", "Deployment"}, {"name", "web"}}},
               {"minReplicas", 2},
               {"maxReplicas", 1},
               {"targetCPUUtilizationPercentage", 80}}}};
  EXPECT_EQ(messages(type.validate(v1, nullptr)),
            std::vector<std::string>{
                "spec.maxReplicas: Invalid value: 1: must be greater than or equal to "
                "`minReplicas`"});
}

TEST(HpaTableTest, TargetsAsKubectlPrintsThem) {
  json object = v2Hpa();
  EXPECT_EQ(hpaTargets(object), "cpu: 12%/70%, memory: 10Mi/500Mi");
  object.erase("status");
  EXPECT_EQ(hpaTargets(object), "cpu: <unknown>/70%, memory: <unknown>/500Mi");
  object["spec"]["metrics"].push_back(
      {{"type", "Pods"},
       {"pods", {{"metric", {{"name", "qps"}}}, {"target", {{"averageValue", "1k"}}}}}});
  EXPECT_EQ(hpaTargets(object), "cpu: <unknown>/70%, memory: <unknown>/500Mi + 1 more...");
  object["spec"]["metrics"] = json::array();
  EXPECT_EQ(hpaTargets(object), "<none>");
}

TEST(HpaTableTest, RowsOfBothVersions) {
  auto now = [] { return *parseRfc3339("2024-05-03T12:00:00Z"); };
  json object = v2Hpa();
  object["metadata"]["creationTimestamp"] = "2024-05-03T11:59:00Z";
  ResourceType v2 = horizontalPodAutoscalerType(now);
  std::vector<std::string> names;
  for (const auto& c : v2.columns) {
    names.push_back(c.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Reference", "Targets", "MinPods", "MaxPods",
                                             "Replicas", "Age"}));
  json expected = {"web", "Deployment/web", "cpu: 12%/70%, memory: 10Mi/500Mi", "2", 5, 3, "60s"};
  EXPECT_EQ(json(v2.row(object)), expected);
  ResourceType v1 = horizontalPodAutoscalerV1Type(now);
  EXPECT_EQ(json(v1.row(hpa::toV1(object))), expected);
  EXPECT_EQ(v1.shortNames, std::vector<std::string>{"hpa"});
  EXPECT_EQ(v1.keyPrefix(), v2.keyPrefix());
}

// --- both versions through a real server ---

class HpaServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("berth-hpa-" + randomHex(4));
    ApiServerOptions options;
    options.dataDir = dir_;
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    server_ = std::make_unique<ApiServer>(options, clock_);
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override {
    server_->stop();
    std::filesystem::remove_all(dir_);
  }
  http::ClientResponse call(const std::string& method, const std::string& path,
                            const std::string& body = "",
                            const std::string& contentType = "application/json") {
    http::ClientOptions options;
    options.caFile = server_->caFile();
    options.bearerToken = server_->adminToken();
    options.headers["Content-Type"] = contentType;
    auto reply = http::httpRequest(method, server_->url() + path, body, options);
    EXPECT_TRUE(reply) << reply.error().message();
    return reply ? *reply : http::ClientResponse{};
  }

  RealClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<ApiServer> server_;
};

constexpr const char* kV1Path = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
constexpr const char* kV2Path = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";

TEST_F(HpaServerTest, BothVersionsSeeTheSameObjects) {
  json v1 = {
      {"apiVersion", "autoscaling/v1"},
      {"kind", "HorizontalPodAutoscaler"},
      {"metadata", {{"name", "web"}}},
      {"spec",
       {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}}},
        {"minReplicas", 2},
        {"maxReplicas", 5},
        {"targetCPUUtilizationPercentage", 80}}}};
  auto created = call("POST", kV1Path, v1.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  json body = json::parse(created.body);
  EXPECT_EQ(body["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(body["spec"]["targetCPUUtilizationPercentage"], 80);

  auto got = call("GET", std::string(kV2Path) + "/web");
  ASSERT_EQ(got.status, 200) << got.body;
  json v2 = json::parse(got.body);
  EXPECT_EQ(v2["apiVersion"], "autoscaling/v2");
  EXPECT_EQ(v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
  EXPECT_EQ(v2["spec"]["minReplicas"], 2);
  EXPECT_EQ(v2["metadata"]["resourceVersion"], body["metadata"]["resourceVersion"]);

  // A v2 write with a memory metric; the v1 view keeps it in the annotation and a v1 patch
  // does not lose it.
  v2["spec"]["metrics"].push_back(json::parse(
      R"({"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue",
          "averageValue":"500Mi"}}})"));
  auto put = call("PUT", std::string(kV2Path) + "/web", v2.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  auto patched =
      call("PATCH", std::string(kV1Path) + "/web",
           R"({"spec":{"targetCPUUtilizationPercentage":60}})", "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  json after = json::parse(call("GET", std::string(kV2Path) + "/web").body);
  ASSERT_EQ(after["spec"]["metrics"].size(), 2u) << after.dump();
  EXPECT_EQ(after["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 60);
  EXPECT_EQ(after["spec"]["metrics"][1]["resource"]["name"], "memory");
  EXPECT_FALSE(after["metadata"].contains("annotations")) << after.dump();
  EXPECT_EQ(after["metadata"]["generation"], 3);

  json list1 = json::parse(call("GET", kV1Path).body);
  EXPECT_EQ(list1["kind"], "HorizontalPodAutoscalerList");
  EXPECT_EQ(list1["apiVersion"], "autoscaling/v1");
  ASSERT_EQ(list1["items"].size(), 1u);
  EXPECT_EQ(list1["items"][0]["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(list1["items"][0]["spec"]["targetCPUUtilizationPercentage"], 60);

  // Watch events come in the watched version.
  auto watched = call("GET", std::string(kV1Path) + "?watch=true&timeoutSeconds=1");
  ASSERT_EQ(watched.status, 200);
  json event = json::parse(watched.body.substr(0, watched.body.find('\n')));
  EXPECT_EQ(event["type"], "ADDED");
  EXPECT_EQ(event["object"]["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(event["object"]["spec"]["targetCPUUtilizationPercentage"], 60);

  // Invalid through either version: 422 with Kubernetes' message.
  auto bad = call("POST", kV1Path,
                  R"({"metadata":{"name":"bad"},"spec":{"scaleTargetRef":{"kind":"Deployment",
                      "name":"web"},"minReplicas":3,"maxReplicas":1}})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("spec.maxReplicas: Invalid value: 1: must be greater than or equal to "
                          "`minReplicas`"),
            std::string::npos)
      << bad.body;

  auto removed = call("DELETE", std::string(kV1Path) + "/web");
  EXPECT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(call("GET", std::string(kV2Path) + "/web").status, 404);
}

TEST_F(HpaServerTest, DiscoveryPrefersV2) {
  auto group = call("GET", "/apis/autoscaling");
  ASSERT_EQ(group.status, 200) << group.body;
  json doc = json::parse(group.body);
  EXPECT_EQ(doc["preferredVersion"]["version"], "v2");
  ASSERT_EQ(doc["versions"].size(), 2u);
  EXPECT_EQ(doc["versions"][1]["version"], "v1");
  auto metrics = call("GET", "/apis/metrics.k8s.io/v1beta1");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_NE(metrics.body.find("\"PodMetrics\""), std::string::npos);
  EXPECT_EQ(call("GET", "/openapi/v3/apis/autoscaling/v1").status, 200);
  EXPECT_EQ(call("GET", "/openapi/v3/apis/autoscaling/v2").status, 200);
}

}  // namespace
}  // namespace berth::apiserver
