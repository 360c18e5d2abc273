// The ReplicaSet controller and the garbage collector against a real in-process API server
// (no agent: pods stay unbound; the tests write pod status themselves).

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "apiserver/api_server.h"
#include "client/api_client.h"
#include "controllers/controller_manager.h"
#include "controllers/controller_utils.h"
#include "test_server.h"

namespace berth::controllers {
namespace {

using client::Resource;
using testing::waitFor;
using namespace std::chrono_literals;

class RsGcServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new testing::TestApiServer("berth-rs-gc");
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

  static json replicaSet(const std::string& name, int replicas, int minReadySeconds = 0) {
    json rs = {{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}};
    rs["metadata"] = {{"name", name}, {"namespace", "default"}};
    rs["spec"]["replicas"] = replicas;
    rs["spec"]["minReadySeconds"] = minReadySeconds;
    rs["spec"]["selector"]["matchLabels"] = {{"app", name}};
    rs["spec"]["template"]["metadata"]["labels"] = {{"app", name}};
    rs["spec"]["template"]["spec"]["containers"] =
        json::array({{{"name", "c"}, {"image", "busybox:1.36"}}});
    return rs;
  }

  static json createReplicaSet(const json& rs) {
    auto created = api().create(Resource::replicaSets("default"), rs);
    EXPECT_TRUE(created) << created.error().message();
    return created ? *created : json();
  }

  // The pods labelled app=<app> (all, including those being deleted).
  static std::vector<json> pods(const std::string& app) {
    auto list = api().list(Resource::pods("default"), {.labelSelector = "app=" + app});
    std::vector<json> out;
    if (list) {
      for (const auto& p : (*list)["items"]) {
        out.push_back(p);
      }
    }
    return out;
  }

  static std::vector<json> activePods(const std::string& app) {
    std::vector<json> out;
    for (const auto& p : pods(app)) {
      if (isPodActive(p)) {
        out.push_back(p);
      }
    }
    return out;
  }

  static bool ownedBy(const json& pod, const std::string& uid) {
    auto ref = controllerRef(pod);
    return ref && ref->value("uid", "") == uid && ref->value("kind", "") == "ReplicaSet" &&
           ref->value("apiVersion", "") == "apps/v1" && ref->value("blockOwnerDeletion", false);
  }

  static std::optional<json> getReplicaSet(const std::string& name) {
    auto rs = api().get(Resource::replicaSets("default"), name);
    return rs ? std::optional<json>(*rs) : std::nullopt;
  }

  static int64_t statusField(const std::string& name, const char* field) {
    auto rs = getReplicaSet(name);
    return rs ? rs->value("status", json::object()).value(field, int64_t{-1}) : -1;
  }

  static void scale(const std::string& name, int replicas) {
    auto patched = api().patch(Resource::replicaSets("default"), name, client::PatchType::kMerge,
                               {{"spec", {{"replicas", replicas}}}});
    ASSERT_TRUE(patched) << patched.error().message();
  }

  static void markReady(const json& pod) {
    json next = pod;
    next["status"]["phase"] = "Running";
    next["status"]["conditions"] = json::array(
        {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", rfc3339(clock_.now())}}});
    auto updated = api().update(Resource::pods("default"), next, "status");
    ASSERT_TRUE(updated) << updated.error().message();
  }

  static void remove(const Resource& r, const std::string& name, const std::string& policy) {
    client::DeleteOptions options;
    options.propagationPolicy = policy;
    auto removed = api().remove(r, name, options);
    ASSERT_TRUE(removed) << removed.error().message();
  }

  static inline testing::TestApiServer* env_ = nullptr;
  static inline RealClock clock_;
  static inline apiserver::ApiServer* server_ = nullptr;
  static inline client::ApiClient* client_ = nullptr;
  static inline ControllerManager* manager_ = nullptr;
};

TEST_F(RsGcServerTest, CreatesThePodsWithOwnerReferencesAndEvents) {
  json rs = createReplicaSet(replicaSet("create", 3));
  std::string uid = rs["metadata"]["uid"];
  ASSERT_TRUE(waitFor([&] { return activePods("create").size() == 3; }));
  // No over-creation while the informer catches up.
  std::this_thread::sleep_for(500ms);
  auto all = activePods("create");
  ASSERT_EQ(all.size(), 3u);
  for (const auto& p : all) {
    EXPECT_TRUE(ownedBy(p, uid)) << p.dump();
    EXPECT_EQ(p["metadata"]["generateName"], "create-");
    EXPECT_EQ(p["spec"]["containers"][0]["image"], "busybox:1.36");
  }
  EXPECT_TRUE(waitFor([&] {
    return statusField("create", "replicas") == 3 &&
           statusField("create", "fullyLabeledReplicas") == 3 &&
           statusField("create", "observedGeneration") == 1;
  }));
  EXPECT_TRUE(waitFor([&] {
    auto events =
        api().list(Resource::events("default"), {.fieldSelector = "involvedObject.name=create"});
    int created = 0;
    if (events) {
      for (const auto& e : (*events)["items"]) {
        if (e.value("reason", "") == "SuccessfulCreate" &&
            e["source"].value("component", "") == "replicaset-controller" &&
            e["involvedObject"].value("kind", "") == "ReplicaSet") {
          ++created;
        }
      }
    }
    return created == 3;
  }));
}

TEST_F(RsGcServerTest, ScalesUpAndDown) {
  createReplicaSet(replicaSet("scale", 3));
  ASSERT_TRUE(waitFor([&] { return activePods("scale").size() == 3; }));
  scale("scale", 5);
  ASSERT_TRUE(waitFor([&] { return activePods("scale").size() == 5; }));
  EXPECT_TRUE(waitFor([&] { return statusField("scale", "replicas") == 5; }));
  scale("scale", 1);
  ASSERT_TRUE(waitFor([&] { return pods("scale").size() == 1; }));
  EXPECT_TRUE(waitFor([&] {
    return statusField("scale", "replicas") == 1 && statusField("scale", "observedGeneration") == 3;
  }));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(pods("scale").size(), 1u);
}

TEST_F(RsGcServerTest, ReplacesADeletedPod) {
  createReplicaSet(replicaSet("replace", 2));
  ASSERT_TRUE(waitFor([&] { return activePods("replace").size() == 2; }));
  std::string victim = activePods("replace")[0]["metadata"]["name"];
  remove(Resource::pods("default"), victim, "");
  ASSERT_TRUE(waitFor([&] {
    auto now = activePods("replace");
    return now.size() == 2 && std::none_of(now.begin(), now.end(), [&](const json& p) {
             return p["metadata"]["name"] == victim;
           });
  }));
}

TEST_F(RsGcServerTest, AdoptsAMatchingOrphan) {
  json orphan = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  orphan["metadata"] = {
      {"name", "adopt-orphan"}, {"namespace", "default"}, {"labels", {{"app", "adopt"}}}};
  orphan["spec"]["containers"] = json::array({{{"name", "c"}, {"image", "busybox:1.36"}}});
  ASSERT_TRUE(api().create(Resource::pods("default"), orphan));
  json rs = createReplicaSet(replicaSet("adopt", 1));
  std::string uid = rs["metadata"]["uid"];
  ASSERT_TRUE(waitFor([&] {
    auto p = api().get(Resource::pods("default"), "adopt-orphan");
    return p && ownedBy(*p, uid);
  }));
  std::this_thread::sleep_for(500ms);
  auto all = activePods("adopt");
  ASSERT_EQ(all.size(), 1u);  // adopted instead of creating another
  EXPECT_EQ(all[0]["metadata"]["name"], "adopt-orphan");
}

TEST_F(RsGcServerTest, ReleasesAPodWhoseLabelsChange) {
  json rs = createReplicaSet(replicaSet("release", 2));
  std::string uid = rs["metadata"]["uid"];
  ASSERT_TRUE(waitFor([&] { return activePods("release").size() == 2; }));
  std::string name = activePods("release")[0]["metadata"]["name"];
  ASSERT_TRUE(api().patch(Resource::pods("default"), name, client::PatchType::kMerge,
                          {{"metadata", {{"labels", {{"app", "released"}}}}}}));
  ASSERT_TRUE(waitFor([&] {
    auto p = api().get(Resource::pods("default"), name);
    return p && ownerReferences(*p).empty();
  }));
  // A replacement keeps the count; the released pod stays (not garbage: it has no owner).
  ASSERT_TRUE(waitFor([&] { return activePods("release").size() == 2; }));
  for (const auto& p : activePods("release")) {
    EXPECT_TRUE(ownedBy(p, uid));
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(api().get(Resource::pods("default"), name));
}

TEST_F(RsGcServerTest, CountsReadyAndAvailablePods) {
  createReplicaSet(replicaSet("ready", 2, 2));
  ASSERT_TRUE(waitFor([&] { return activePods("ready").size() == 2; }));
  for (const auto& p : activePods("ready")) {
    markReady(p);
  }
  ASSERT_TRUE(waitFor([&] { return statusField("ready", "readyReplicas") == 2; }));
  EXPECT_EQ(statusField("ready", "availableReplicas"), 0);  // minReadySeconds 2 not over yet
  // Requeued for when minReadySeconds has passed, without any other change.
  EXPECT_TRUE(waitFor([&] { return statusField("ready", "availableReplicas") == 2; }, 8s));
}

TEST_F(RsGcServerTest, BackgroundDeletionRemovesThePods) {
  createReplicaSet(replicaSet("background", 3));
  ASSERT_TRUE(waitFor([&] { return activePods("background").size() == 3; }));
  remove(Resource::replicaSets("default"), "background", "Background");
  EXPECT_FALSE(getReplicaSet("background").has_value());
  EXPECT_TRUE(waitFor([&] { return pods("background").empty(); }));
}

TEST_F(RsGcServerTest, ForegroundDeletionRemovesThePodsThenTheOwner) {
  createReplicaSet(replicaSet("foreground", 3));
  ASSERT_TRUE(waitFor([&] { return activePods("foreground").size() == 3; }));
  remove(Resource::replicaSets("default"), "foreground", "Foreground");
  // While pods remain, the owner is still there, being deleted.
  bool sawOwnerWithPods = false;
  ASSERT_TRUE(waitFor([&] {
    auto rs = getReplicaSet("foreground");
    auto left = pods("foreground");
    if (rs && !left.empty()) {
      sawOwnerWithPods = sawOwnerWithPods || isDeleting(*rs);
    }
    EXPECT_FALSE(!rs && !left.empty()) << "the owner went before its dependents";
    return !rs && left.empty();
  }));
  (void)sawOwnerWithPods;  // the GC may be faster than the first poll
}

TEST_F(RsGcServerTest, OrphanDeletionKeepsThePodsWithoutOwners) {
  createReplicaSet(replicaSet("orphan", 3));
  ASSERT_TRUE(waitFor([&] { return activePods("orphan").size() == 3; }));
  remove(Resource::replicaSets("default"), "orphan", "Orphan");
  ASSERT_TRUE(waitFor([&] { return !getReplicaSet("orphan").has_value(); }));
  std::this_thread::sleep_for(500ms);
  auto left = activePods("orphan");
  ASSERT_EQ(left.size(), 3u);
  for (const auto& p : left) {
    EXPECT_TRUE(ownerReferences(p).empty()) << p.dump();
  }
}

TEST_F(RsGcServerTest, CollectsAPodWhoseOwnerWasRecreatedUnderTheSameName) {
  json rs = createReplicaSet(replicaSet("recreated", 0));
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod["metadata"] = {
      {"name", "recreated-dependent"},
      {"namespace", "default"},
      {"labels", {{"app", "other"}}},
      {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                        {"kind", "ReplicaSet"},
                                        {"name", "recreated"},
                                        {"uid", "00000000-0000-0000-0000-000000000001"}}})}};
  pod["spec"]["containers"] = json::array({{{"name", "c"}, {"image", "busybox:1.36"}}});
  ASSERT_TRUE(api().create(Resource::pods("default"), pod));
  EXPECT_TRUE(waitFor(
      [&] { return !api().get(Resource::pods("default"), "recreated-dependent").has_value(); }));

  // A pod with one live owner and one gone keeps the live one only.
  pod["metadata"]["name"] = "two-owners";
  pod["metadata"]["ownerReferences"].push_back({{"apiVersion", "apps/v1"},
                                                {"kind", "ReplicaSet"},
                                                {"name", "recreated"},
                                                {"uid", rs["metadata"]["uid"]}});
  ASSERT_TRUE(api().create(Resource::pods("default"), pod));
  EXPECT_TRUE(waitFor([&] {
    auto p = api().get(Resource::pods("default"), "two-owners");
    return p && ownerReferences(*p).size() == 1 &&
           ownerReferences(*p)[0]["uid"] == rs["metadata"]["uid"];
  }));
}

}  // namespace
}  // namespace berth::controllers
