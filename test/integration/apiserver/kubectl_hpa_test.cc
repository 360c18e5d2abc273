// The real kubectl against a real `berth server` (no nodes): HorizontalPodAutoscalers through
// autoscaling/v1 (`kubectl autoscale` sends a v1 protobuf body) and autoscaling/v2, and
// `kubectl top` with no agent to scrape.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/random.h"
#include "support/berth_process.h"
#include "support/server_fixture.h"

namespace berth {
namespace {

using nlohmann::json;
using testing::BerthProcess;

class KubectlHpaTest : public testing::ServerFixture {};

constexpr const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: main
        image: 127.0.0.1:5000/berth/httpd:1
        resources:
          requests: {cpu: 100m}
)";

constexpr const char* kV2Hpa = R"(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource:
      name: memory
      target: {type: AverageValue, averageValue: 200Mi}
)";

TEST_F(KubectlHpaTest, AutoscaleSendsV1AndGetShowsV2) {
  auto deployment = kubectl({"apply", "-f", "-"}, kDeployment);
  ASSERT_TRUE(deployment.succeeded()) << deployment.err;

  auto autoscale =
      kubectl({"autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80"});
  ASSERT_TRUE(autoscale.succeeded()) << autoscale.err;
  EXPECT_NE(autoscale.out.find("horizontalpodautoscaler.autoscaling/web autoscaled"),
            std::string::npos)
      << autoscale.out;

  json v2 = getJson({"get", "hpa", "web"});
  EXPECT_EQ(v2["apiVersion"], "autoscaling/v2");
  EXPECT_EQ(v2["spec"]["minReplicas"], 2);
  EXPECT_EQ(v2["spec"]["maxReplicas"], 5);
  EXPECT_EQ(v2["spec"]["scaleTargetRef"]["kind"], "Deployment");
  ASSERT_EQ(v2["spec"]["metrics"].size(), 1u) << v2.dump();
  EXPECT_EQ(v2["spec"]["metrics"][0]["resource"]["name"], "cpu");
  EXPECT_EQ(v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);

  json v1 = getJson({"get", "horizontalpodautoscalers.v1.autoscaling", "web"});
  EXPECT_EQ(v1["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(v1["spec"]["targetCPUUtilizationPercentage"], 80);

  auto table = kubectl({"get", "hpa"});
  ASSERT_TRUE(table.succeeded()) << table.err;
  for (const char* text : {"REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS",
                           "Deployment/web", "cpu: <unknown>/80%"}) {
    EXPECT_NE(table.out.find(text), std::string::npos) << text << "\n" << table.out;
  }
  auto all = kubectl({"get", "all"});
  ASSERT_TRUE(all.succeeded()) << all.err;
  EXPECT_NE(all.out.find("horizontalpodautoscaler.autoscaling/web"), std::string::npos) << all.out;

  // A v2 object with a memory metric reads through v1 with the metric kept aside.
  auto created = kubectl({"create", "-f", "-"}, kV2Hpa);
  ASSERT_TRUE(created.succeeded()) << created.err;
  json api = getJson({"get", "horizontalpodautoscalers.v1.autoscaling", "api"});
  EXPECT_FALSE(api["spec"].contains("targetCPUUtilizationPercentage"));
  EXPECT_NE(api["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/metrics"]
                .get<std::string>()
                .find("200Mi"),
            std::string::npos);
  auto patched = kubectl({"patch", "horizontalpodautoscalers.v1.autoscaling", "api", "--type=merge",
                          "-p", R"({"spec":{"maxReplicas":6}})"});
  ASSERT_TRUE(patched.succeeded()) << patched.err;
  json apiV2 = getJson({"get", "hpa", "api"});
  EXPECT_EQ(apiV2["spec"]["maxReplicas"], 6);
  ASSERT_EQ(apiV2["spec"]["metrics"].size(), 1u) << apiV2.dump();
  EXPECT_EQ(apiV2["spec"]["metrics"][0]["resource"]["name"], "memory");

  auto deleted = kubectl({"delete", "hpa", "web"});
  ASSERT_TRUE(deleted.succeeded()) << deleted.err;
  auto gone = kubectl({"get", "horizontalpodautoscalers.v1.autoscaling", "web"});
  EXPECT_FALSE(gone.succeeded());
  EXPECT_NE(gone.err.find("NotFound"), std::string::npos) << gone.err;
}

TEST_F(KubectlHpaTest, InvalidRangeIsA422WithKubernetesMessage) {
  auto out = kubectl({"autoscale", "deployment", "web", "--min=3", "--max=1", "--cpu-percent=80"});
  EXPECT_FALSE(out.succeeded());
  // kubectl checks --max >= --min itself before sending anything; the server says the same for
  // a manifest.
  std::string bad = R"(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: bad
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 1
)";
  auto created = kubectl({"create", "-f", "-"}, bad);
  EXPECT_FALSE(created.succeeded());
  EXPECT_NE(created.err.find("spec.maxReplicas: Invalid value: 1: must be greater than or equal "
                             "to `minReplicas`"),
            std::string::npos)
      << created.err;
  EXPECT_NE(created.err.find("is invalid"), std::string::npos) << created.err;
}

TEST_F(KubectlHpaTest, TopWithoutAgents) {
  // The metrics API is found (no "Metrics API not available"); with no pods kubectl says so.
  auto none = kubectl({"top", "pods"});
  ASSERT_TRUE(none.succeeded()) << none.err;
  EXPECT_NE((none.out + none.err).find("No resources found in default namespace."),
            std::string::npos)
      << none.out << none.err;
  // A pod without figures (no agent to scrape): kubectl's own message for an empty list.
  auto pod = kubectl({"run", "idle", "--image=127.0.0.1:5000/berth/httpd:1"});
  ASSERT_TRUE(pod.succeeded()) << pod.err;
  auto pods = kubectl({"top", "pods"});
  EXPECT_FALSE(pods.succeeded());
  EXPECT_NE(pods.err.find("error: metrics not available yet"), std::string::npos) << pods.err;
  EXPECT_EQ(pods.err.find("Metrics API not available"), std::string::npos) << pods.err;
  auto labelled = kubectl({"top", "pods", "-l", "run=idle"});
  EXPECT_FALSE(labelled.succeeded());
  EXPECT_NE(labelled.err.find("metrics not available yet"), std::string::npos) << labelled.err;
  auto nodes = kubectl({"top", "nodes"});
  EXPECT_EQ(nodes.err.find("Metrics API not available"), std::string::npos) << nodes.err;
  auto apis = kubectl({"api-versions"});
  ASSERT_TRUE(apis.succeeded()) << apis.err;
  for (const char* gv : {"autoscaling/v1", "autoscaling/v2", "metrics.k8s.io/v1beta1"}) {
    EXPECT_NE(apis.out.find(gv), std::string::npos) << gv << "\n" << apis.out;
  }
}

}  // namespace
}  // namespace berth
