// Regression tests from the review of the controllers, against a real in-process API server
// with the ControllerManager: no write loops once a workload has settled, and the
// garbage collector's and the controllers' behaviour at the edges (no agent: the tests write
// the pods' status).

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "apiserver/api_server.h"
#include "client/api_client.h"
#include "controllers/controller_manager.h"
#include "controllers/controller_utils.h"
#include "controllers/deployment_util.h"
#include "controllers/event_recorder.h"
#include "test_server.h"

namespace berth::controllers {
namespace {

using client::Resource;
using testing::waitFor;
using namespace std::chrono_literals;
namespace dep = deployment;

class ReviewServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new testing::TestApiServer("berth-review");
    ASSERT_TRUE(env_->start());
    server_ = &env_->server();
    client_ = &env_->client();
    manager_ = new ControllerManager(*client_, clock_, {.workers = 2, .syncTimeout = 10s});
    auto started = manager_->start();
    ASSERT_TRUE(started) << started.error().message();
  }

  static void TearDownTestSuite() {
    delete manager_;
    manager_ = nullptr;
    client_ = nullptr;
    delete env_;
    env_ = nullptr;
    server_ = nullptr;
  }

  static client::ApiClient& api() { return *client_; }

  static json deployment(const std::string& name, int replicas) {
    json d = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}};
    d["metadata"] = {{"name", name}, {"namespace", "default"}};
    d["spec"]["replicas"] = replicas;
    d["spec"]["selector"]["matchLabels"] = {{"app", name}};
    d["spec"]["template"]["metadata"]["labels"] = {{"app", name}};
    d["spec"]["template"]["spec"]["containers"] =
        json::array({{{"name", "c"}, {"image", "nginx:1"}}});
    return d;
  }

  // Marks every active, not yet running pod of app=<app> Running and Ready.
  static void kubelet(const std::string& app) {
    auto list = api().list(Resource::pods("default"), {.labelSelector = "app=" + app});
    if (!list) {
      return;
    }
    for (auto pod : (*list)["items"]) {
      if (!isPodActive(pod) || podPhase(pod) == "Running") {
        continue;
      }
      pod["status"]["phase"] = "Running";
      pod["status"]["conditions"] = json::array(
          {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", rfc3339(clock_.now())}}});
      (void)api().update(Resource::pods("default"), pod, "status");
    }
  }

  static json get(const Resource& r, const std::string& name) {
    auto o = api().get(r, name);
    return o ? *o : json::object();
  }

  static bool rolledOut(const std::string& name) {
    json d = get(Resource::deployments("default"), name);
    const json status = d.value("status", json::object());
    int replicas = dep::specReplicas(d);
    auto progressing = dep::getCondition(status, dep::kConditionProgressing);
    return status.value("observedGeneration", int64_t{0}) >=
               d["metadata"].value("generation", int64_t{1}) &&
           status.value("updatedReplicas", 0) == replicas &&
           status.value("replicas", 0) == replicas &&
           status.value("availableReplicas", 0) == replicas && progressing &&
           progressing->value("reason", "") == dep::kReasonNewRSAvailable;
  }

  // The resourceVersions of the Deployment, its ReplicaSets and the pods of app=<name>.
  static std::map<std::string, std::string> versions(const std::string& name) {
    std::map<std::string, std::string> out;
    out["deployment"] = metaString(get(Resource::deployments("default"), name), "resourceVersion");
    if (auto list = api().list(Resource::replicaSets("default"))) {
      for (const auto& rs : (*list)["items"]) {
        if (metaString(rs, "name").starts_with(name + "-")) {
          out["rs/" + metaString(rs, "name")] = metaString(rs, "resourceVersion");
        }
      }
    }
    if (auto list = api().list(Resource::pods("default"), {.labelSelector = "app=" + name})) {
      for (const auto& p : (*list)["items"]) {
        out["pod/" + metaString(p, "name")] = metaString(p, "resourceVersion");
      }
    }
    return out;
  }

  static inline testing::TestApiServer* env_ = nullptr;
  static inline RealClock clock_;
  static inline apiserver::ApiServer* server_ = nullptr;
  static inline client::ApiClient* client_ = nullptr;
  static inline ControllerManager* manager_ = nullptr;
};

// A settled Deployment is left alone: no status rewritten again and again (e.g. a timestamp
// that always differs), no ReplicaSet or pod touched.
TEST_F(ReviewServerTest, SettledDeploymentMakesNoWrites) {
  json spec = deployment("settled", 2);
  spec["spec"]["minReadySeconds"] = 1;
  ASSERT_TRUE(api().create(Resource::deployments("default"), spec));
  ASSERT_TRUE(waitFor([] { return rolledOut("settled"); }, 30s, [] { kubelet("settled"); }))
      << get(Resource::deployments("default"), "settled")["status"].dump();
  std::this_thread::sleep_for(1500ms);  // the last requeues (minReadySeconds) run out
  auto before = versions("settled");
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(versions("settled"), before);
}

TEST_F(ReviewServerTest, SettledRecreateDeploymentMakesNoWrites) {
  json spec = deployment("recreate", 1);
  spec["spec"]["strategy"] = {{"type", "Recreate"}};
  spec["metadata"]["annotations"] = {{dep::kAutoRollbackAnnotation, "true"}};
  ASSERT_TRUE(api().create(Resource::deployments("default"), spec));
  ASSERT_TRUE(waitFor([] { return rolledOut("recreate"); }, 30s, [] { kubelet("recreate"); }))
      << get(Resource::deployments("default"), "recreate")["status"].dump();
  std::this_thread::sleep_for(500ms);
  auto before = versions("recreate");
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(versions("recreate"), before);
}

// A Deployment of zero replicas is rolled out at once (kubectl rollout status returns).
TEST_F(ReviewServerTest, ZeroReplicaDeploymentCompletes) {
  ASSERT_TRUE(api().create(Resource::deployments("default"), deployment("zero", 0)));
  EXPECT_TRUE(waitFor([] { return rolledOut("zero"); }, 10s))
      << get(Resource::deployments("default"), "zero")["status"].dump();
}

// A rollout whose pods never get ready reports ProgressDeadlineExceeded once the deadline
// passed, without any other event to wake the controller.
TEST_F(ReviewServerTest, StuckRolloutTimesOut) {
  json spec = deployment("stuck", 1);
  spec["spec"]["progressDeadlineSeconds"] = 1;
  ASSERT_TRUE(api().create(Resource::deployments("default"), spec));
  EXPECT_TRUE(waitFor(
      [] {
        json d = get(Resource::deployments("default"), "stuck");
        auto c = dep::getCondition(d.value("status", json::object()), dep::kConditionProgressing);
        return c && c->value("reason", "") == dep::kReasonTimedOut &&
               c->value("status", "") == "False";
      },
      15s))
      << get(Resource::deployments("default"), "stuck")["status"].dump();
}

// Paused: a template change makes no new ReplicaSet; resumed, it rolls out.
TEST_F(ReviewServerTest, PausedDeploymentWaitsForResume) {
  json spec = deployment("paused", 1);
  ASSERT_TRUE(api().create(Resource::deployments("default"), spec));
  ASSERT_TRUE(waitFor([] { return rolledOut("paused"); }, 20s, [] { kubelet("paused"); }));
  ASSERT_TRUE(api().patch(Resource::deployments("default"), "paused", client::PatchType::kMerge,
                          {{"spec", {{"paused", true}}}}));
  ASSERT_TRUE(api().patch(
      Resource::deployments("default"), "paused", client::PatchType::kStrategicMerge,
      {{"spec",
        {{"template", {{"spec", {{"containers", {{{"name", "c"}, {"image", "nginx:2"}}}}}}}}}}}));
  std::this_thread::sleep_for(1s);
  auto countRs = [] {
    int n = 0;
    if (auto list = api().list(Resource::replicaSets("default"))) {
      for (const auto& rs : (*list)["items"]) {
        n += metaString(rs, "name").starts_with("paused-") ? 1 : 0;
      }
    }
    return n;
  };
  EXPECT_EQ(countRs(), 1);
  json d = get(Resource::deployments("default"), "paused");
  auto c = dep::getCondition(d["status"], dep::kConditionProgressing);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value("reason", ""), dep::kReasonPaused);
  ASSERT_TRUE(api().patch(Resource::deployments("default"), "paused", client::PatchType::kMerge,
                          {{"spec", {{"paused", false}}}}));
  EXPECT_TRUE(waitFor([&] { return countRs() == 2 && rolledOut("paused"); }, 30s,
                      [] { kubelet("paused"); }));
}

// kubectl delete deployment --cascade=foreground: pods, ReplicaSet, then the Deployment go.
TEST_F(ReviewServerTest, ForegroundDeploymentDeletionRemovesEverything) {
  ASSERT_TRUE(api().create(Resource::deployments("default"), deployment("fg", 2)));
  ASSERT_TRUE(waitFor([] { return rolledOut("fg"); }, 20s, [] { kubelet("fg"); }));
  client::DeleteOptions options;
  options.propagationPolicy = "Foreground";
  ASSERT_TRUE(api().remove(Resource::deployments("default"), "fg", options));
  EXPECT_TRUE(waitFor(
      [] {
        auto pods = api().list(Resource::pods("default"), {.labelSelector = "app=fg"});
        auto rss = api().list(Resource::replicaSets("default"), {.labelSelector = "app=fg"});
        auto d = api().get(Resource::deployments("default"), "fg");
        return pods && (*pods)["items"].empty() && rss && (*rss)["items"].empty() && !d &&
               d.error().code() == ErrorCode::kNotFound;
      },
      20s));
}

// kubectl scale deployment: a scaling event, not a new rollout.
TEST_F(ReviewServerTest, ScalingADeploymentKeepsItsReplicaSet) {
  ASSERT_TRUE(api().create(Resource::deployments("default"), deployment("scaled", 1)));
  ASSERT_TRUE(waitFor([] { return rolledOut("scaled"); }, 20s, [] { kubelet("scaled"); }));
  ASSERT_TRUE(api().patch(Resource::deployments("default"), "scaled", client::PatchType::kMerge,
                          {{"spec", {{"replicas", 3}}}}));
  EXPECT_TRUE(waitFor(
      [] {
        json d = get(Resource::deployments("default"), "scaled");
        return d["status"].value("replicas", 0) == 3 && rolledOut("scaled");
      },
      20s, [] { kubelet("scaled"); }))
      << get(Resource::deployments("default"), "scaled")["status"].dump();
  json d = get(Resource::deployments("default"), "scaled");
  EXPECT_EQ(dep::annotation(d, dep::kRevisionAnnotation), "1");
}

// A controller repeating the same event (an HPA failing every sync period, a ReplicaSet whose
// creates keep failing) makes one Event whose count grows, as client-go's correlator does:
// kubectl describe shows "(x5 over 2m)" instead of the API server filling up with copies.
TEST_F(ReviewServerTest, RepeatedEventsAreAggregated) {
  json hpa = {{"apiVersion", "autoscaling/v2"},
              {"kind", "HorizontalPodAutoscaler"},
              {"metadata", {{"name", "noisy"}, {"namespace", "default"}, {"uid", "u-noisy"}}}};
  {
    EventRecorder events(api(), clock_, "horizontal-pod-autoscaler");
    events.start();
    for (int i = 0; i < 5; ++i) {
      events.record(hpa, "Warning", "FailedGetScale", "deployments.apps \"web\" not found");
      std::this_thread::sleep_for(20ms);
    }
    events.record(hpa, "Warning", "FailedGetScale", "another message");
    events.stop();
  }
  auto list =
      api().list(Resource::events("default"), {.fieldSelector = "involvedObject.name=noisy"});
  ASSERT_TRUE(list);
  std::map<std::string, int64_t> counts;
  for (const auto& e : (*list)["items"]) {
    counts[e.value("message", "")] += e.value("count", int64_t{0});
    EXPECT_EQ(e["source"].value("component", ""), "horizontal-pod-autoscaler");
  }
  EXPECT_EQ((*list)["items"].size(), 2u) << list->dump();
  EXPECT_EQ(counts["deployments.apps \"web\" not found"], 5);
  EXPECT_EQ(counts["another message"], 1);
  for (const auto& e : (*list)["items"]) {
    if (e.value("count", 0) == 5) {
      EXPECT_LE(e.value("firstTimestamp", "~"), e.value("lastTimestamp", "")) << e.dump();
    }
  }
}

}  // namespace
}  // namespace berth::controllers
