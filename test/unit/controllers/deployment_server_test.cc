// The Deployment controller with the ReplicaSet controller (the ControllerManager) against a
// real in-process API server. No agent: pods stay unbound, the tests write their status.

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
#include "test_server.h"

namespace berth::controllers {
namespace {

using client::Resource;
using testing::waitFor;
using namespace std::chrono_literals;
namespace dep = deployment;

class DeploymentServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new testing::TestApiServer("berth-deployment");
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
    delete env_;
    env_ = nullptr;
    server_ = nullptr;
    client_ = nullptr;
  }

  static client::ApiClient& api() { return *client_; }

  static json deployment(const std::string& name, const std::string& image, int replicas) {
    json d = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}};
    d["metadata"] = {{"name", name}, {"namespace", "default"}};
    d["spec"]["replicas"] = replicas;
    d["spec"]["selector"]["matchLabels"] = {{"app", name}};
    d["spec"]["strategy"] = {{"type", "RollingUpdate"},
                             {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}};
    d["spec"]["template"]["metadata"]["labels"] = {{"app", name}};
    d["spec"]["template"]["spec"]["containers"] = json::array({{{"name", "c"}, {"image", image}}});
    return d;
  }

  static json getDeployment(const std::string& name) {
    auto d = api().get(Resource::deployments("default"), name);
    return d ? *d : json::object();
  }

  static std::vector<json> replicaSetsOf(const json& d) {
    std::vector<json> out;
    auto list = api().list(Resource::replicaSets("default"));
    if (!list) {
      return out;
    }
    for (const auto& rs : (*list)["items"]) {
      auto ref = controllerRef(rs);
      if (ref && ref->value("uid", "") == metaString(d, "uid")) {
        out.push_back(rs);
      }
    }
    return out;
  }

  static std::optional<json> replicaSetWithImage(const json& d, const std::string& image) {
    for (const auto& rs : replicaSetsOf(d)) {
      if (rs["spec"]["template"]["spec"]["containers"][0]["image"] == image) {
        return rs;
      }
    }
    return std::nullopt;
  }

  // Marks the pending pods of app=<app> whose image is in `healthy` Running and Ready; those
  // with another image crash-loop.
  static void kubelet(const std::string& app, const std::set<std::string>& healthy) {
    auto list = api().list(Resource::pods("default"), {.labelSelector = "app=" + app});
    if (!list) {
      return;
    }
    for (auto pod : (*list)["items"]) {
      if (!isPodActive(pod) || podPhase(pod) == "Running") {
        continue;
      }
      std::string image = pod["spec"]["containers"][0]["image"];
      pod["status"]["phase"] = "Running";
      if (healthy.contains(image)) {
        pod["status"]["conditions"] =
            json::array({{{"type", "Ready"},
                          {"status", "True"},
                          {"lastTransitionTime", rfc3339(clock_.now())}}});
      } else {
        pod["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", "False"}}});
        pod["status"]["containerStatuses"] =
            json::array({{{"name", "c"},
                          {"restartCount", 4},
                          {"ready", false},
                          {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}}});
      }
      (void)api().update(Resource::pods("default"), pod, "status");
    }
  }

  static bool rolledOut(const std::string& name) {
    json d = getDeployment(name);
    const json status = d.value("status", json::object());
    int replicas = dep::specReplicas(d);
    return status.value("observedGeneration", int64_t{0}) >=
               d["metadata"].value("generation", int64_t{1}) &&
           status.value("updatedReplicas", 0) == replicas &&
           status.value("replicas", 0) == replicas &&
           status.value("availableReplicas", 0) == replicas;
  }

  static std::vector<json> eventsFor(const std::string& name) {
    std::vector<json> out;
    auto list = api().list(Resource::events("default"));
    if (list) {
      for (const auto& e : (*list)["items"]) {
        if (e["involvedObject"].value("name", "") == name &&
            e["involvedObject"].value("kind", "") == "Deployment") {
          out.push_back(e);
        }
      }
    }
    return out;
  }

  static bool hasEvent(const std::string& name, const std::string& reason,
                       const std::string& message) {
    for (const auto& e : eventsFor(name)) {
      if (e.value("reason", "") == reason && e.value("message", "") == message) {
        return true;
      }
    }
    return false;
  }

  static inline testing::TestApiServer* env_ = nullptr;
  static inline RealClock clock_;
  static inline apiserver::ApiServer* server_ = nullptr;
  static inline client::ApiClient* client_ = nullptr;
  static inline ControllerManager* manager_ = nullptr;
};

TEST_F(DeploymentServerTest, RollsOutUpdatesAndUndoes) {
  auto created = api().create(Resource::deployments("default"), deployment("web", "nginx:1", 2));
  ASSERT_TRUE(created) << created.error().message();
  json d = *created;

  // Revision 1: web-<hash>, labelled and selected by its hash.
  ASSERT_TRUE(waitFor([&] { return replicaSetWithImage(d, "nginx:1").has_value(); }));
  json first = *replicaSetWithImage(d, "nginx:1");
  std::string hash = first["metadata"]["labels"].value(dep::kPodTemplateHashLabel, "");
  ASSERT_FALSE(hash.empty());
  EXPECT_EQ(first["metadata"]["name"], "web-" + hash);
  EXPECT_EQ(first["spec"]["selector"]["matchLabels"][dep::kPodTemplateHashLabel], hash);
  EXPECT_EQ(dep::annotation(first, dep::kRevisionAnnotation), "1");
  EXPECT_EQ(first["spec"]["replicas"], 2);

  auto healthy = [] { kubelet("web", {"nginx:1", "nginx:2"}); };
  ASSERT_TRUE(waitFor([] { return rolledOut("web"); }, 20s, healthy))
      << getDeployment("web")["status"].dump();
  d = getDeployment("web");
  EXPECT_EQ(dep::annotation(d, dep::kRevisionAnnotation), "1");
  auto progressing = dep::getCondition(d["status"], dep::kConditionProgressing);
  ASSERT_TRUE(progressing);
  EXPECT_EQ(progressing->value("reason", ""), dep::kReasonNewRSAvailable);
  EXPECT_EQ(dep::getCondition(d["status"], dep::kConditionAvailable)->value("status", ""), "True");
  EXPECT_TRUE(
      hasEvent("web", "ScalingReplicaSet", "Scaled up replica set web-" + hash + " to 2 from 0"));

  // kubectl set image: revision 2, one pod at a time (maxSurge 1, maxUnavailable 0).
  json patch = {
      {"spec",
       {{"template", {{"spec", {{"containers", {{{"name", "c"}, {"image", "nginx:2"}}}}}}}}}}};
  ASSERT_TRUE(api().patch(Resource::deployments("default"), "web",
                          client::PatchType::kStrategicMerge, patch));
  ASSERT_TRUE(waitFor([] { return rolledOut("web"); }, 30s, healthy))
      << getDeployment("web")["status"].dump();
  d = getDeployment("web");
  auto second = replicaSetWithImage(d, "nginx:2");
  ASSERT_TRUE(second);
  EXPECT_EQ(dep::annotation(*second, dep::kRevisionAnnotation), "2");
  EXPECT_EQ(dep::annotation(d, dep::kRevisionAnnotation), "2");
  EXPECT_EQ((*replicaSetWithImage(d, "nginx:1"))["spec"]["replicas"], 0);
  std::string secondName = (*second)["metadata"]["name"];
  EXPECT_TRUE(
      hasEvent("web", "ScalingReplicaSet", "Scaled up replica set " + secondName + " to 1 from 0"));
  EXPECT_TRUE(
      hasEvent("web", "ScalingReplicaSet", "Scaled down replica set web-" + hash + " to 1 from 2"));
  for (const auto& e : eventsFor("web")) {
    EXPECT_EQ(e["source"].value("component", ""), "deployment-controller");
  }

  // kubectl rollout undo: the template of revision 1 comes back (JSON patch), and its
  // ReplicaSet is re-used as revision 3.
  json back = dep::templateWithoutHash(first["spec"]["template"]);
  json undo = json::array({{{"op", "replace"}, {"path", "/spec/template"}, {"value", back}}});
  auto undone =
      api().patch(Resource::deployments("default"), "web", client::PatchType::kJson, undo);
  ASSERT_TRUE(undone) << undone.error().message();
  ASSERT_TRUE(waitFor([] { return rolledOut("web"); }, 30s, healthy));
  ASSERT_TRUE(waitFor([&] {
    auto rs = replicaSetWithImage(d, "nginx:1");
    return rs && dep::annotation(*rs, dep::kRevisionAnnotation) == "3";
  }));
  json reused = *replicaSetWithImage(d, "nginx:1");
  EXPECT_EQ(reused["metadata"]["name"], first["metadata"]["name"]);
  EXPECT_EQ(dep::annotation(reused, dep::kRevisionHistoryAnnotation), "1");
  EXPECT_EQ(reused["spec"]["replicas"], 2);
  EXPECT_EQ(replicaSetsOf(d).size(), 2u);
}

TEST_F(DeploymentServerTest, CrashLoopingRolloutRollsBackByItself) {
  json spec = deployment("auto", "nginx:1", 2);
  spec["metadata"]["annotations"] = {{dep::kAutoRollbackAnnotation, "true"}};
  auto created = api().create(Resource::deployments("default"), spec);
  ASSERT_TRUE(created) << created.error().message();
  auto kubeletRun = [] { kubelet("auto", {"nginx:1"}); };
  ASSERT_TRUE(waitFor([] { return rolledOut("auto"); }, 20s, kubeletRun));

  json patch = {
      {"spec",
       {{"template", {{"spec", {{"containers", {{{"name", "c"}, {"image", "nginx:bad"}}}}}}}}}}};
  ASSERT_TRUE(api().patch(Resource::deployments("default"), "auto",
                          client::PatchType::kStrategicMerge, patch));
  // The bad pod crash-loops; the controller puts revision 1's template back.
  ASSERT_TRUE(waitFor(
      [] {
        return getDeployment("auto")["spec"]["template"]["spec"]["containers"][0]["image"] ==
               "nginx:1";
      },
      30s, kubeletRun));
  ASSERT_TRUE(waitFor([] { return rolledOut("auto"); }, 30s, kubeletRun));
  json d = getDeployment("auto");
  auto rolledBack = dep::getCondition(d["status"], dep::kConditionRolledBack);
  ASSERT_TRUE(rolledBack) << d["status"].dump();
  EXPECT_EQ(rolledBack->value("status", ""), "True");
  EXPECT_EQ(rolledBack->value("reason", ""), "CrashLoopBackOff");
  std::string message = rolledBack->value("message", "");
  EXPECT_TRUE(message.starts_with("rolled back to revision 1: pods of revision 2 crash-looping"))
      << message;
  bool warned = false;
  for (const auto& e : eventsFor("auto")) {
    if (e.value("reason", "") == "RolledBack") {
      warned = true;
      EXPECT_EQ(e.value("type", ""), "Warning");
      EXPECT_EQ(e.value("message", ""), message);
    }
  }
  EXPECT_TRUE(warned);
  EXPECT_EQ(dep::annotation(d, dep::kRevisionAnnotation), "3");
}

}  // namespace
}  // namespace berth::controllers
