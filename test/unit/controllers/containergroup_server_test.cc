// The ContainerGroup controller against a real in-process API server, through the controller
// manager (so the garbage collector runs too). No agent: pods stay unbound; the tests write pod
// status themselves.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "apiserver/api_server.h"
#include "client/api_client.h"
#include "controllers/containergroup_logic.h"
#include "controllers/controller_manager.h"
#include "controllers/controller_utils.h"
#include "instances/pod_naming.h"
#include "test_server.h"

namespace berth::controllers {
namespace {

using client::Resource;
using testing::waitFor;
using namespace std::chrono_literals;

const std::string kSub = "11111111-2222-3333-4444-555555555555";
const std::string kRg = "Demo-RG";

class ContainerGroupServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new testing::TestApiServer("berth-cg");
    ASSERT_TRUE(env_->start());
    server_ = &env_->server();
    client_ = &env_->client();
    manager_ = new ControllerManager(*client_, clock_, {.workers = 2, .syncTimeout = 10s});
    auto started = manager_->start();
    ASSERT_TRUE(started) << started.error().message();
    json ns = {{"apiVersion", "v1"},
               {"kind", "Namespace"},
               {"metadata", {{"name", instances::podNamespace(kSub, kRg)}}}};
    auto created = client_->create(Resource::namespaces(), ns);
    ASSERT_TRUE(created) << created.error().message();
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
  static std::string ns() { return instances::podNamespace(kSub, kRg); }

  static json armGroup(const std::string& image) {
    json containers = json::array(
        {{{"name", "web"},
          {"properties",
           {{"image", image},
            {"ports", json::array({{{"port", 80}}})},
            {"resources", {{"requests", {{"cpu", 1}, {"memoryInGB", 1}}}}},
            {"environmentVariables", json::array({{{"name", "MODE"}, {"value", "demo"}}})}}}}});
    return {{"location", "westeurope"},
            {"properties",
             {{"osType", "Linux"},
              {"restartPolicy", "Always"},
              {"ipAddress", {{"type", "Public"}, {"ports", json::array({{{"port", 80}}})}}},
              {"containers", containers}}}};
  }

  static json createGroup(const std::string& name, const std::string& image = "nginx:1.25") {
    json object = {{"apiVersion", kContainerGroupApiVersion}, {"kind", kContainerGroupKind}};
    object["metadata"] = {{"name", name},
                          {"namespace", ns()},
                          {"labels", instances::groupLabels({kSub, kRg, name})},
                          {"annotations", instances::groupAnnotations({kSub, kRg, name})}};
    object["spec"] = {{"group", armGroup(image)}, {"desiredState", "Running"}};
    auto created = api().create(containerGroups(ns()), object);
    EXPECT_TRUE(created) << created.error().message();
    return created ? *created : json();
  }

  static std::optional<json> group(const std::string& name) {
    auto g = api().get(containerGroups(ns()), name);
    return g ? std::optional<json>(*g) : std::nullopt;
  }

  static json status(const std::string& name) {
    auto g = group(name);
    return g ? g->value("status", json::object()) : json::object();
  }

  // The pod of the group, if it exists and is not being deleted.
  static std::optional<json> pod(const std::string& name) {
    auto p = api().get(Resource::pods(ns()), name);
    if (!p || isDeleting(*p)) {
      return std::nullopt;
    }
    return *p;
  }

  static void patchSpec(const std::string& name, const json& spec) {
    auto patched =
        api().patch(containerGroups(ns()), name, client::PatchType::kMerge, {{"spec", spec}});
    ASSERT_TRUE(patched) << patched.error().message();
  }

  static void markRunning(const json& p) {
    json next = p;
    next["status"]["phase"] = "Running";
    next["status"]["podIP"] = "10.88.0.7";
    next["status"]["hostIP"] = "192.168.5.5";
    next["status"]["startTime"] = rfc3339(clock_.now());
    next["status"]["containerStatuses"] =
        json::array({{{"name", "web"},
                      {"ready", true},
                      {"restartCount", 1},
                      {"image", "nginx:1.25"},
                      {"imageID", ""},
                      {"state", {{"running", {{"startedAt", rfc3339(clock_.now())}}}}},
                      {"lastState", json::object()}}});
    auto updated = api().update(Resource::pods(ns()), next, "status");
    ASSERT_TRUE(updated) << updated.error().message();
  }

  static inline testing::TestApiServer* env_ = nullptr;
  static inline RealClock clock_;
  static inline apiserver::ApiServer* server_ = nullptr;
  static inline client::ApiClient* client_ = nullptr;
  static inline ControllerManager* manager_ = nullptr;
};

TEST_F(ContainerGroupServerTest, CreatesTheOwnedPodAndFollowsItsStatus) {
  json g = createGroup("web1");
  std::string uid = metaString(g, "uid");
  ASSERT_TRUE(waitFor([&] { return pod("web1").has_value(); }));
  json p = *pod("web1");
  auto ref = controllerRef(p);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->value("uid", ""), uid);
  EXPECT_EQ(ref->value("kind", ""), "ContainerGroup");
  EXPECT_EQ(ref->value("apiVersion", ""), "instances.berth.io/v1");
  EXPECT_TRUE(ref->value("blockOwnerDeletion", false));
  EXPECT_EQ(p["spec"]["containers"][0]["image"], "nginx:1.25");
  EXPECT_EQ(p["spec"]["containers"][0]["resources"]["requests"]["cpu"], "1");
  EXPECT_EQ(p["spec"]["nodeSelector"]["berth.io/pool"], "instances");
  EXPECT_EQ(labelsOf(p).at(instances::kGroupLabel), "web1");

  EXPECT_TRUE(waitFor([&] {
    json s = status("web1");
    return s.value("provisioningState", "") == "Pending" && s.value("observedGeneration", 0) == 1;
  })) << status("web1").dump();

  markRunning(p);
  ASSERT_TRUE(waitFor([&] { return status("web1").value("provisioningState", "") == "Succeeded"; }))
      << status("web1").dump();
  json s = status("web1");
  EXPECT_EQ(s["instanceView"]["state"], "Running");
  EXPECT_EQ(s["containers"]["web"]["currentState"]["state"], "Running");
  EXPECT_EQ(s["containers"]["web"]["restartCount"], 1);
  EXPECT_EQ(s["ipAddress"], "192.168.5.5");  // Public: the host's address
  EXPECT_EQ(s["podUid"], metaString(p, "uid"));

  // The pod's events become the container's instanceView events.
  json event = {{"apiVersion", "v1"}, {"kind", "Event"}};
  event["metadata"] = {{"name", "web1.pulled"}, {"namespace", ns()}};
  event["involvedObject"] = {{"kind", "Pod"},
                             {"namespace", ns()},
                             {"name", "web1"},
                             {"uid", metaString(p, "uid")},
                             {"fieldPath", "spec.containers{web}"}};
  event["reason"] = "Pulled";
  event["message"] = "Successfully pulled image \"nginx:1.25\"";
  event["type"] = "Normal";
  event["count"] = 1;
  event["firstTimestamp"] = rfc3339(clock_.now());
  event["lastTimestamp"] = rfc3339(clock_.now());
  auto posted = api().create(Resource::events(ns()), event);
  ASSERT_TRUE(posted) << posted.error().message();
  EXPECT_TRUE(waitFor([&] {
    json events = status("web1")["containers"]["web"].value("events", json::array());
    return events.size() == 1 && events[0].value("name", "") == "Pulled";
  })) << status("web1").dump();
}

TEST_F(ContainerGroupServerTest, StopStartAndRestart) {
  createGroup("web2");
  ASSERT_TRUE(waitFor([&] { return pod("web2").has_value(); }));
  std::string firstUid = metaString(*pod("web2"), "uid");

  patchSpec("web2", {{"desiredState", "Stopped"}});
  ASSERT_TRUE(waitFor([&] { return !pod("web2").has_value(); }));
  EXPECT_TRUE(waitFor([&] {
    json s = status("web2");
    return s.value("provisioningState", "") == "Succeeded" &&
           s.value("instanceView", json::object()).value("state", "") == "Stopped";
  })) << status("web2").dump();
  // Stays stopped.
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(pod("web2").has_value());

  patchSpec("web2", {{"desiredState", "Running"}});
  ASSERT_TRUE(waitFor([&] { return pod("web2").has_value(); }));
  std::string secondUid = metaString(*pod("web2"), "uid");
  EXPECT_NE(secondUid, firstUid);
  EXPECT_TRUE(waitFor([&] { return status("web2").value("podUid", "") == secondUid; }));

  // Restart: a new pod, stamped with the restart time.
  std::string restartedAt = rfc3339(clock_.now() + 1s);
  patchSpec("web2", {{"restartedAt", restartedAt}});
  ASSERT_TRUE(waitFor([&] {
    auto p = pod("web2");
    return p && metaString(*p, "uid") != secondUid;
  }));
  json third = *pod("web2");
  EXPECT_EQ(third["metadata"]["annotations"][kRestartedAtAnnotation], restartedAt);
  // And only one: the new pod is kept.
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(pod("web2").has_value());
  EXPECT_EQ(metaString(*pod("web2"), "uid"), metaString(third, "uid"));
}

TEST_F(ContainerGroupServerTest, SpecChangeReplacesThePod) {
  createGroup("web3");
  ASSERT_TRUE(waitFor([&] { return pod("web3").has_value(); }));
  std::string firstUid = metaString(*pod("web3"), "uid");
  patchSpec("web3", {{"group", armGroup("nginx:1.26")}});
  ASSERT_TRUE(waitFor([&] {
    auto p = pod("web3");
    return p && metaString(*p, "uid") != firstUid;
  }));
  EXPECT_EQ((*pod("web3"))["spec"]["containers"][0]["image"], "nginx:1.26");
  EXPECT_TRUE(waitFor([&] { return status("web3").value("observedGeneration", 0) == 2; }));
}

TEST_F(ContainerGroupServerTest, PodDeletedUnderneathIsMadeAgain) {
  createGroup("web4");
  ASSERT_TRUE(waitFor([&] { return pod("web4").has_value(); }));
  std::string firstUid = metaString(*pod("web4"), "uid");
  auto removed = api().remove(Resource::pods(ns()), "web4");
  ASSERT_TRUE(removed) << removed.error().message();
  ASSERT_TRUE(waitFor([&] {
    auto p = pod("web4");
    return p && metaString(*p, "uid") != firstUid;
  }));
}

TEST_F(ContainerGroupServerTest, DeletingTheGroupDeletesItsPod) {
  createGroup("web5");
  ASSERT_TRUE(waitFor([&] { return pod("web5").has_value(); }));
  auto removed = api().remove(containerGroups(ns()), "web5");
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_TRUE(waitFor([&] { return !api().get(Resource::pods(ns()), "web5").has_value(); }));
}

TEST_F(ContainerGroupServerTest, MalformedGroupIsFailed) {
  json object = {{"apiVersion", kContainerGroupApiVersion}, {"kind", kContainerGroupKind}};
  object["metadata"] = {{"name", "broken"}, {"namespace", ns()}};  // no ARM annotations
  object["spec"] = {{"group", armGroup("nginx")}, {"desiredState", "Running"}};
  auto created = api().create(containerGroups(ns()), object);
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_TRUE(waitFor([&] { return status("broken").value("provisioningState", "") == "Failed"; }))
      << status("broken").dump();
  EXPECT_FALSE(pod("broken").has_value());
}

}  // namespace
}  // namespace berth::controllers
