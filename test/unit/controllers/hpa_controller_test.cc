// The HPA controller against a real in-process API server (HPA, Deployment and scale served by
// it; only the pod metrics come from a fake source: no agent runs here). Pods stay unbound; the
// tests write their status themselves.

#include "controllers/hpa_controller.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "apiserver/api_server.h"
#include "client/api_client.h"
#include "controllers/informer_factory.h"
#include "test_server.h"

namespace berth::controllers {
namespace {

using client::Resource;
using nlohmann::json;
using testing::waitFor;
using namespace std::chrono_literals;

// Pod metrics set by the test: pod name -> cpu usage in millicores.
class FakeMetrics final : public PodMetricsSource {
 public:
  void set(const std::string& pod, int64_t cpuMilli) {
    std::lock_guard lock(mu_);
    cpu_[pod] = cpuMilli;
  }

  Result<std::vector<hpa::PodMetricsSample>> podMetrics(const std::string&,
                                                        const std::string&) override {
    std::lock_guard lock(mu_);
    if (cpu_.empty()) {
      return fail(ErrorCode::kUnavailable, "no metrics returned from resource metrics API");
    }
    std::vector<hpa::PodMetricsSample> out;
    for (const auto& [name, milli] : cpu_) {
      out.push_back({name,
                     std::chrono::system_clock::now() - 1s,
                     15s,
                     {{"c", {{"cpu", milli}, {"memory", 1000}}}}});
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> cpu_;
};

class HpaControllerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new testing::TestApiServer("berth-hpa");
    ASSERT_TRUE(env_->start());
    server_ = &env_->server();
    client_ = &env_->client();
    informers_ = new InformerFactory(*client_);
    metrics_ = std::make_shared<FakeMetrics>();
    HpaControllerOptions hpaOptions;
    hpaOptions.syncPeriod = 300ms;
    hpaOptions.metricsSource = metrics_;
    controller_ = new HpaController(*client_, *informers_, clock_, hpaOptions);
    informers_->start();
    ASSERT_TRUE(informers_->waitForSync(10s));
    controller_->start();
  }

  static void TearDownTestSuite() {
    delete controller_;
    controller_ = nullptr;
    delete informers_;
    informers_ = nullptr;
    client_ = nullptr;
    delete env_;
    env_ = nullptr;
    server_ = nullptr;
    metrics_.reset();
  }

  static client::ApiClient& api() { return *client_; }

  static void createDeployment(const std::string& name, int replicas) {
    json d = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}};
    d["metadata"] = {{"name", name}, {"namespace", "default"}};
    d["spec"]["replicas"] = replicas;
    d["spec"]["selector"]["matchLabels"] = {{"app", name}};
    d["spec"]["template"]["metadata"]["labels"] = {{"app", name}};
    d["spec"]["template"]["spec"]["containers"] =
        json::array({{{"name", "c"},
                      {"image", "busybox:1.36"},
                      {"resources", {{"requests", {{"cpu", "1"}}}}}}});
    auto created = api().create(Resource::deployments("default"), d);
    ASSERT_TRUE(created) << created.error().message();
  }

  // A Running, Ready pod labelled app=<app> requesting 1 cpu, started an hour ago.
  static void createReadyPod(const std::string& app, const std::string& name) {
    json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
    pod["metadata"] = {{"name", name}, {"namespace", "default"}, {"labels", {{"app", app}}}};
    pod["spec"]["containers"] = json::array({{{"name", "c"},
                                              {"image", "busybox:1.36"},
                                              {"resources", {{"requests", {{"cpu", "1"}}}}}}});
    auto created = api().create(Resource::pods("default"), pod);
    ASSERT_TRUE(created) << created.error().message();
    std::string hourAgo = rfc3339(std::chrono::system_clock::now() - 1h);
    (*created)["status"] = {
        {"phase", "Running"},
        {"startTime", hourAgo},
        {"conditions",
         json::array({{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", hourAgo}}})}};
    auto updated = api().update(Resource::pods("default"), *created, "status");
    ASSERT_TRUE(updated) << updated.error().message();
  }

  static void createHpa(const std::string& name, const std::string& target, int min, int max,
                        int cpuPercent) {
    json hpa = {{"apiVersion", "autoscaling/v2"}, {"kind", "HorizontalPodAutoscaler"}};
    hpa["metadata"] = {{"name", name}, {"namespace", "default"}};
    hpa["spec"] = {
        {"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", target}}},
        {"minReplicas", min},
        {"maxReplicas", max},
        {"metrics",
         json::array(
             {{{"type", "Resource"},
               {"resource",
                {{"name", "cpu"},
                 {"target", {{"type", "Utilization"}, {"averageUtilization", cpuPercent}}}}}}})}};
    auto created = api().create(Resource::horizontalPodAutoscalers("default"), hpa);
    ASSERT_TRUE(created) << created.error().message();
  }

  static json hpaStatus(const std::string& name) {
    auto hpa = api().get(Resource::horizontalPodAutoscalers("default"), name);
    return hpa ? hpa->value("status", json::object()) : json::object();
  }

  static std::optional<json> condition(const std::string& hpa, const std::string& type) {
    json status = hpaStatus(hpa);
    for (const auto& c : status.value("conditions", json::array())) {
      if (c.value("type", "") == type) {
        return c;
      }
    }
    return std::nullopt;
  }

  static int scaleReplicas(const std::string& deployment) {
    auto scale = api().get(Resource::deployments("default"), deployment, "scale");
    return scale ? (*scale)["spec"].value("replicas", -1) : -1;
  }

  // The messages of the HPA's events with `reason`.
  static std::vector<std::string> events(const std::string& hpa, const std::string& reason) {
    std::vector<std::string> out;
    auto list = api().list(Resource::events("default"));
    if (!list) {
      return out;
    }
    for (const auto& e : (*list)["items"]) {
      if (e["involvedObject"].value("name", "") == hpa &&
          e["involvedObject"].value("kind", "") == "HorizontalPodAutoscaler" &&
          e.value("reason", "") == reason) {
        EXPECT_EQ(e["source"].value("component", ""), "horizontal-pod-autoscaler");
        out.push_back(e.value("message", ""));
      }
    }
    return out;
  }

  static inline testing::TestApiServer* env_ = nullptr;
  static inline RealClock clock_;
  static inline apiserver::ApiServer* server_ = nullptr;
  static inline client::ApiClient* client_ = nullptr;
  static inline InformerFactory* informers_ = nullptr;
  static inline HpaController* controller_ = nullptr;
  static inline std::shared_ptr<FakeMetrics> metrics_;
};

TEST_F(HpaControllerTest, MissingTargetSetsFailedGetScale) {
  createHpa("orphan", "nothing-here", 1, 3, 50);
  ASSERT_TRUE(waitFor([] {
    auto c = condition("orphan", "AbleToScale");
    return c && c->value("reason", "") == "FailedGetScale";
  })) << hpaStatus("orphan").dump();
  auto c = condition("orphan", "AbleToScale");
  EXPECT_EQ(c->value("status", ""), "False");
  EXPECT_NE(c->value("message", "")
                .find("the HPA controller was unable to get the target's current scale: "),
            std::string::npos);
  EXPECT_TRUE(c->contains("lastTransitionTime"));
  EXPECT_TRUE(waitFor([] { return !events("orphan", "FailedGetScale").empty(); }));
}

TEST_F(HpaControllerTest, ScalesUpToMinReplicasWithoutMetrics) {
  createDeployment("small", 1);
  createHpa("small", "small", 2, 5, 50);
  ASSERT_TRUE(waitFor([] { return scaleReplicas("small") == 2; })) << scaleReplicas("small");
  ASSERT_TRUE(waitFor([] { return hpaStatus("small").value("desiredReplicas", 0) == 2; }))
      << hpaStatus("small").dump();
  json status = hpaStatus("small");
  EXPECT_EQ(status.value("currentReplicas", 0), 1);
  EXPECT_TRUE(status.contains("lastScaleTime"));
  EXPECT_EQ(condition("small", "AbleToScale")->value("reason", ""), "SucceededRescale");
  EXPECT_TRUE(waitFor([] {
    auto messages = events("small", "SuccessfulRescale");
    return !messages.empty() &&
           messages[0] == "New size: 2; reason: Current number of replicas below Spec.MinReplicas";
  }));
}

TEST_F(HpaControllerTest, ScalesOnCpuUtilizationAndReportsMetrics) {
  createDeployment("web", 2);
  createReadyPod("web", "web-a");
  createReadyPod("web", "web-b");
  metrics_->set("web-a", 1000);
  metrics_->set("web-b", 1000);
  createHpa("web", "web", 1, 10, 50);
  ASSERT_TRUE(waitFor([] { return scaleReplicas("web") == 4; }))
      << scaleReplicas("web") << " " << hpaStatus("web").dump();
  ASSERT_TRUE(waitFor([] { return hpaStatus("web").value("desiredReplicas", 0) == 4; }));
  json status = hpaStatus("web");
  ASSERT_TRUE(status.contains("currentMetrics")) << status.dump();
  EXPECT_EQ(status["currentMetrics"][0]["resource"]["current"]["averageUtilization"], 100);
  EXPECT_EQ(condition("web", "ScalingActive")->value("reason", ""), "ValidMetricFound");
  EXPECT_TRUE(waitFor([] {
    auto messages = events("web", "SuccessfulRescale");
    return !messages.empty() &&
           messages[0] ==
               "New size: 4; reason: cpu resource utilization (percentage of request) above target";
  }));
}

TEST_F(HpaControllerTest, PeriodicResyncScalesDownWhenTheLoadDrops) {
  createDeployment("calm", 2);
  createReadyPod("calm", "calm-a");
  createReadyPod("calm", "calm-b");
  metrics_->set("calm-a", 1000);
  metrics_->set("calm-b", 1000);
  createHpa("calm", "calm", 1, 10, 50);
  // No stabilization window for scale-downs, so the drop shows within a few sync periods.
  // A patch, not GET + PUT: the controller may write the status in between (409 Conflict).
  json behavior = {{"spec", {{"behavior", {{"scaleDown", {{"stabilizationWindowSeconds", 0}}}}}}}};
  auto patched = api().patch(Resource::horizontalPodAutoscalers("default"), "calm",
                             client::PatchType::kMerge, behavior);
  ASSERT_TRUE(patched) << patched.error().message();
  ASSERT_TRUE(waitFor([] { return scaleReplicas("calm") == 4; })) << hpaStatus("calm").dump();
  // Nothing changes in the API: only the periodic resync sees the new usage.
  metrics_->set("calm-a", 100);
  metrics_->set("calm-b", 100);
  ASSERT_TRUE(waitFor([] { return scaleReplicas("calm") == 1; })) << hpaStatus("calm").dump();
  EXPECT_TRUE(waitFor([] {
    for (const auto& m : events("calm", "SuccessfulRescale")) {
      if (m == "New size: 1; reason: All metrics below target") {
        return true;
      }
    }
    return false;
  }));
}

TEST_F(HpaControllerTest, MissingRequestsMakeScalingInactive) {
  createDeployment("noreq", 2);
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod["metadata"] = {{"name", "noreq-a"}, {"namespace", "default"}, {"labels", {{"app", "noreq"}}}};
  pod["spec"]["containers"] = json::array({{{"name", "c"}, {"image", "busybox:1.36"}}});
  auto created = api().create(Resource::pods("default"), pod);
  ASSERT_TRUE(created) << created.error().message();
  (*created)["status"] = {{"phase", "Running"}};
  ASSERT_TRUE(api().update(Resource::pods("default"), *created, "status"));
  metrics_->set("noreq-a", 500);
  createHpa("noreq", "noreq", 1, 10, 50);
  ASSERT_TRUE(waitFor([] {
    auto c = condition("noreq", "ScalingActive");
    return c && c->value("reason", "") == "FailedGetResourceMetric";
  })) << hpaStatus("noreq").dump();
  auto c = condition("noreq", "ScalingActive");
  EXPECT_EQ(c->value("status", ""), "False");
  EXPECT_NE(c->value("message", "").find("missing request for cpu"), std::string::npos);
  EXPECT_EQ(scaleReplicas("noreq"), 2);
}

}  // namespace
}  // namespace berth::controllers
