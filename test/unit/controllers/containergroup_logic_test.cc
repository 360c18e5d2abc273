// The pure decisions of the ContainerGroup controller: reading the object, the pod made for it,
// when the pod goes, and the status.

#include "controllers/containergroup_logic.h"

#include <gtest/gtest.h>

#include "controllers/controller_utils.h"
#include "instances/pod_naming.h"

namespace berth::controllers {
namespace {

using namespace std::chrono_literals;

const Clock::WallTime kNow = std::chrono::system_clock::from_time_t(1'800'000'000);
const std::string kSub = "0000-aaaa";
const std::string kRg = "MyRG";

json armGroup(const std::string& image = "nginx:1.25") {
  return json::parse(R"({
    "location": "westeurope",
    "tags": {"team": "a"},
    "properties": {
      "osType": "Linux",
      "restartPolicy": "Always",
      "ipAddress": {"type": "Public", "ports": [{"port": 80}]},
      "imageRegistryCredentials": [{"server": "r.example.io", "username": "u"},
                                   {"server": "id.example.io", "identity": "/ids/x"}],
      "containers": [{"name": "web", "properties": {
        "image": "IMAGE",
        "ports": [{"port": 80}],
        "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
        "environmentVariables": [{"name": "PLAIN", "value": "1"}, {"name": "SECRET"}]}}]
    }})")
      .patch(json::array({{{"op", "replace"},
                           {"path", "/properties/containers/0/properties/image"},
                           {"value", image}}}));
}

json object(const json& group = armGroup(), const std::string& desired = "Running",
            const std::string& restartedAt = "", int64_t generation = 1) {
  json o = {{"apiVersion", kContainerGroupApiVersion}, {"kind", kContainerGroupKind}};
  o["metadata"] = {
      {"name", "web1"},
      {"namespace", instances::podNamespace(kSub, kRg)},
      {"uid", "cg-uid-1"},
      {"generation", generation},
      {"annotations",
       {{instances::kSubscriptionAnnotation, kSub}, {instances::kResourceGroupAnnotation, kRg}}}};
  o["spec"] = {{"group", group}, {"desiredState", desired}};
  if (!restartedAt.empty()) {
    o["spec"]["restartedAt"] = restartedAt;
  }
  return o;
}

GroupObject read(const json& o) {
  auto g = readGroupObject(o);
  EXPECT_TRUE(g) << g.error().message();
  return g ? *g : GroupObject{};
}

json podFor(const json& o, Clock::WallTime created = kNow - 1h) {
  auto pod = desiredPod(o, read(o));
  EXPECT_TRUE(pod) << pod.error().message();
  json p = *pod;
  p["metadata"]["uid"] = "pod-uid-1";
  p["metadata"]["creationTimestamp"] = rfc3339(created);
  return p;
}

std::string annotationOf(const json& o, const char* name) {
  return o["metadata"]["annotations"].value(name, "");
}

TEST(ContainerGroupLogicTest, ReadsTheObject) {
  GroupObject g = read(object(armGroup(), "Stopped", "2027-01-01T00:00:00Z", 4));
  EXPECT_EQ(g.group.subscriptionId, kSub);
  EXPECT_EQ(g.group.resourceGroup, kRg);
  EXPECT_EQ(g.group.name, "web1");
  ASSERT_EQ(g.group.properties.containers.size(), 1u);
  EXPECT_EQ(g.group.properties.containers[0].image, "nginx:1.25");
  EXPECT_FALSE(g.running);
  EXPECT_EQ(g.restartedAt, "2027-01-01T00:00:00Z");
  EXPECT_EQ(g.generation, 4);
  EXPECT_TRUE(read(object()).running);
}

TEST(ContainerGroupLogicTest, RefusesObjectsThatCannotRun) {
  json o = object();
  o["metadata"].erase("annotations");
  auto g = readGroupObject(o);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(g.error().message().find("instances.berth.io/subscription"), std::string::npos);

  o = object();
  o["spec"].erase("group");
  g = readGroupObject(o);
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message().find("'spec.group'"), std::string::npos);

  o = object();
  o["spec"]["group"]["properties"]["containers"] = "nope";
  EXPECT_FALSE(readGroupObject(o));
}

TEST(ContainerGroupLogicTest, PodIsOwnedPlacedAndRefersToTheSecrets) {
  json o = object();
  auto made = desiredPod(o, read(o));
  ASSERT_TRUE(made) << made.error().message();
  const json& pod = *made;
  EXPECT_EQ(metaString(pod, "name"), "web1");
  EXPECT_EQ(metaString(pod, "namespace"), instances::podNamespace(kSub, kRg));
  EXPECT_EQ(labelsOf(pod).at(instances::kGroupLabel), "web1");

  auto ref = controllerRef(pod);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->value("apiVersion", ""), "instances.berth.io/v1");
  EXPECT_EQ(ref->value("kind", ""), "ContainerGroup");
  EXPECT_EQ(ref->value("name", ""), "web1");
  EXPECT_EQ(ref->value("uid", ""), "cg-uid-1");
  EXPECT_TRUE(ref->value("blockOwnerDeletion", false));

  EXPECT_EQ(pod["spec"]["nodeSelector"]["berth.io/pool"], "instances");
  ASSERT_EQ(pod["spec"]["tolerations"].size(), 1u);
  EXPECT_EQ(pod["spec"]["tolerations"][0]["key"], "berth.io/pool");
  EXPECT_EQ(pod["spec"]["tolerations"][0]["value"], "instances");
  EXPECT_EQ(pod["spec"]["tolerations"][0]["effect"], "NoSchedule");

  // The stored spec has no secret values: the pod still refers to the Secrets.
  const json& env = pod["spec"]["containers"][0]["env"];
  ASSERT_EQ(env.size(), 2u);
  EXPECT_EQ(env[0]["value"], "1");
  EXPECT_EQ(env[1]["valueFrom"]["secretKeyRef"]["name"], "web1--env");
  EXPECT_EQ(env[1]["valueFrom"]["secretKeyRef"]["key"], "web.SECRET");
  ASSERT_EQ(pod["spec"]["imagePullSecrets"].size(), 1u);
  EXPECT_EQ(pod["spec"]["imagePullSecrets"][0]["name"], "web1--registry");
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0]["hostPort"], 80);
  EXPECT_FALSE(annotationOf(pod, kPodHashAnnotation).empty());
  EXPECT_EQ(annotationOf(pod, kRestartedAtAnnotation), "");
  EXPECT_FALSE(pod.contains("status"));
}

TEST(ContainerGroupLogicTest, PodHashFollowsWhatChangesThePod) {
  auto hash = [](const json& o) { return annotationOf(podFor(o), kPodHashAnnotation); };
  std::string base = hash(object());
  EXPECT_EQ(hash(object()), base);
  EXPECT_NE(hash(object(armGroup("nginx:1.26"))), base);
  json retagged = armGroup();
  retagged["tags"]["team"] = "b";
  EXPECT_EQ(hash(object(retagged, "Running", "", 2)), base);
  // New secret values (kept out of the object) show as a new spec.secretsHash.
  json resecreted = object();
  resecreted["spec"]["secretsHash"] = "v2";
  EXPECT_NE(hash(resecreted), base);
}

TEST(ContainerGroupLogicTest, CreatesWhenRunningWithoutPod) {
  json o = object();
  json desired = podFor(o);
  EXPECT_EQ(decidePod(o, read(o), desired, std::nullopt).action, PodAction::kCreate);
  json stopped = object(armGroup(), "Stopped");
  EXPECT_EQ(decidePod(stopped, read(stopped), desired, std::nullopt).action, PodAction::kNone);
}

TEST(ContainerGroupLogicTest, KeepsTheCurrentPodWhateverItsPhase) {
  json o = object();
  json pod = podFor(o);
  for (const char* phase : {"Pending", "Running", "Succeeded", "Failed"}) {
    pod["status"]["phase"] = phase;
    EXPECT_EQ(decidePod(o, read(o), podFor(o), pod).action, PodAction::kNone) << phase;
    EXPECT_TRUE(isCurrentPod(o, read(o), podFor(o), pod)) << phase;
  }
}

TEST(ContainerGroupLogicTest, DeletesThePodWhenStopped) {
  json running = object();
  json pod = podFor(running);
  json stopped = object(armGroup(), "Stopped", "", 2);
  PodDecision d = decidePod(stopped, read(stopped), podFor(stopped), pod);
  EXPECT_EQ(d.action, PodAction::kDelete);
  EXPECT_EQ(d.reason, "stopped");
  EXPECT_FALSE(isCurrentPod(stopped, read(stopped), podFor(stopped), pod));
}

TEST(ContainerGroupLogicTest, ReplacesThePodWhenTheSpecChanges) {
  json pod = podFor(object());
  json updated = object(armGroup("nginx:1.26"), "Running", "", 2);
  PodDecision d = decidePod(updated, read(updated), podFor(updated), pod);
  EXPECT_EQ(d.action, PodAction::kDelete);
  EXPECT_EQ(d.reason, "spec changed");
}

TEST(ContainerGroupLogicTest, ReplacesThePodWhenRestartedAfterItsCreation) {
  json pod = podFor(object(), kNow - 1h);
  json restarted = object(armGroup(), "Running", rfc3339(kNow), 2);
  PodDecision d = decidePod(restarted, read(restarted), podFor(restarted), pod);
  EXPECT_EQ(d.action, PodAction::kDelete);
  EXPECT_EQ(d.reason, "restarted");

  // The pod made for this restart stays.
  json again = podFor(restarted, kNow + 1s);
  EXPECT_EQ(decidePod(restarted, read(restarted), podFor(restarted), again).action,
            PodAction::kNone);
  // In the same second as the pod's creation: restarted still.
  json sameSecond = object(armGroup(), "Running", "2027-01-15T08:00:00.500Z", 3);
  json early = podFor(object(), *parseTimestamp("2027-01-15T08:00:00Z"));
  EXPECT_EQ(decidePod(sameSecond, read(sameSecond), podFor(sameSecond), early).action,
            PodAction::kDelete);
  // A restart older than the pod (the pod was made after it) does not replace it.
  json old = object(armGroup(), "Running", rfc3339(kNow - 2h), 2);
  EXPECT_EQ(decidePod(old, read(old), podFor(old), podFor(object(), kNow - 1h)).action,
            PodAction::kNone);
}

TEST(ContainerGroupLogicTest, WaitsForAPodBeingDeleted) {
  json o = object(armGroup(), "Stopped");
  json pod = podFor(object());
  pod["metadata"]["deletionTimestamp"] = rfc3339(kNow);
  EXPECT_EQ(decidePod(o, read(o), podFor(o), pod).action, PodAction::kNone);
  json running = object();
  EXPECT_EQ(decidePod(running, read(running), podFor(running), pod).action, PodAction::kNone);
  EXPECT_FALSE(isCurrentPod(running, read(running), podFor(running), pod));
}

TEST(ContainerGroupLogicTest, DeletesPodsOfAnEarlierGroupAndLeavesForeignOnes) {
  json o = object();
  json earlier = podFor(o);
  earlier["metadata"]["ownerReferences"][0]["uid"] = "cg-uid-0";
  EXPECT_EQ(decidePod(o, read(o), podFor(o), earlier).action, PodAction::kDelete);

  json foreign = podFor(o);
  foreign["metadata"].erase("ownerReferences");
  EXPECT_EQ(decidePod(o, read(o), podFor(o), foreign).action, PodAction::kNone);
  EXPECT_FALSE(isCurrentPod(o, read(o), podFor(o), foreign));
}

TEST(ContainerGroupLogicTest, StatusOfARunningPod) {
  json o = object(armGroup(), "Running", "", 3);
  json pod = podFor(o);
  pod["spec"]["nodeName"] = "n1";
  pod["status"] = json::parse(R"({
    "phase": "Running", "podIP": "10.88.0.5", "hostIP": "192.168.1.10",
    "startTime": "2027-01-15T08:00:00Z",
    "containerStatuses": [{"name": "web", "ready": true, "restartCount": 2, "image": "nginx",
      "imageID": "", "state": {"running": {"startedAt": "2027-01-15T08:00:05Z"}},
      "lastState": {}}]})");
  std::vector<instances::PodEvent> events = {
      {"spec.containers{web}", "Pulled", "pulled nginx", "Normal", 1, "t1", "t1"},
      {"", "Scheduled", "assigned to n1", "Normal", 1, "t0", "t0"}};
  json status = groupStatus(o, read(o), pod, events, kNow);
  EXPECT_EQ(status["provisioningState"], "Succeeded");
  EXPECT_EQ(status["instanceView"]["state"], "Running");
  ASSERT_EQ(status["instanceView"]["events"].size(), 1u);
  EXPECT_EQ(status["instanceView"]["events"][0]["name"], "Scheduled");
  const json& web = status["containers"]["web"];
  EXPECT_EQ(web["restartCount"], 2);
  EXPECT_EQ(web["currentState"]["state"], "Running");
  EXPECT_EQ(web["currentState"]["startTime"], "2027-01-15T08:00:05Z");
  ASSERT_EQ(web["events"].size(), 1u);
  EXPECT_EQ(web["events"][0]["name"], "Pulled");
  EXPECT_EQ(status["ipAddress"], "192.168.1.10");  // Public: the host's address
  EXPECT_EQ(status["podUid"], "pod-uid-1");
  EXPECT_EQ(status["startTime"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(status["observedGeneration"], 3);

  json priv = armGroup();
  priv["properties"]["ipAddress"]["type"] = "Private";
  json po = object(priv);
  EXPECT_EQ(groupStatus(po, read(po), pod, {}, kNow)["ipAddress"], "10.88.0.5");
}

TEST(ContainerGroupLogicTest, StatusWhileProvisioning) {
  json o = object();
  json pod = podFor(o, kNow - 1min);
  EXPECT_EQ(groupStatus(o, read(o), pod, {}, kNow)["provisioningState"], "Pending");
  pod["spec"]["nodeName"] = "n1";
  EXPECT_EQ(groupStatus(o, read(o), pod, {}, kNow)["provisioningState"], "Creating");
  pod["status"] = json::parse(R"({"phase": "Pending", "containerStatuses": [{"name": "web",
    "ready": false, "restartCount": 0, "image": "x", "imageID": "",
    "state": {"waiting": {"reason": "InvalidImageName"}}, "lastState": {}}]})");
  EXPECT_EQ(groupStatus(o, read(o), pod, {}, kNow)["provisioningState"], "Failed");
  // ACI's provisioning timeout: still Creating 30 minutes after the pod was made.
  pod["status"] = {{"phase", "Pending"}};
  EXPECT_EQ(groupStatus(o, read(o), pod, {}, kNow + 28min)["provisioningState"], "Creating");
  EXPECT_EQ(groupStatus(o, read(o), pod, {}, kNow + 31min)["provisioningState"], "Failed");

  json none = groupStatus(o, read(o), std::nullopt, {}, kNow);
  EXPECT_EQ(none["provisioningState"], "Pending");
  EXPECT_EQ(none["instanceView"]["state"], "Pending");
  EXPECT_TRUE(none["containers"].contains("web"));
  EXPECT_FALSE(none.contains("ipAddress"));
}

TEST(ContainerGroupLogicTest, StatusWhenStoppedKeepsTheLastContainerViews) {
  json o = object(armGroup(), "Stopped", "", 2);
  o["status"] = {{"provisioningState", "Succeeded"},
                 {"ipAddress", "1.2.3.4"},
                 {"podUid", "p"},
                 {"containers", {{"web", {{"restartCount", 5}, {"events", json::array()}}}}}};
  json status = groupStatus(o, read(o), std::nullopt, {}, kNow);
  EXPECT_EQ(status["provisioningState"], "Succeeded");
  EXPECT_EQ(status["instanceView"]["state"], "Stopped");
  EXPECT_EQ(status["containers"]["web"]["restartCount"], 5);
  EXPECT_FALSE(status.contains("ipAddress"));
  EXPECT_FALSE(status.contains("podUid"));
  EXPECT_EQ(status["observedGeneration"], 2);
}

TEST(ContainerGroupLogicTest, StatusWhenStoppedTerminatesRunningContainers) {
  json o = object(armGroup(), "Stopped", "", 2);
  json running = {{"state", "Running"}, {"startTime", "2026-01-01T00:00:00Z"}};
  o["status"] = {
      {"containers",
       {{"web", {{"restartCount", 1}, {"currentState", running}, {"events", json::array()}}}}}};
  json status = groupStatus(o, read(o), std::nullopt, {}, kNow);
  const json& web = status["containers"]["web"];
  EXPECT_EQ(web["currentState"]["state"], "Terminated");
  EXPECT_EQ(web["currentState"]["detailStatus"], "Stopped");
  EXPECT_EQ(web["currentState"]["startTime"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(web["currentState"]["finishTime"], rfc3339(kNow));
  EXPECT_EQ(web["previousState"], running);
  EXPECT_EQ(web["restartCount"], 1);
  // A second sync keeps the first finish time.
  o["status"] = status;
  json again = groupStatus(o, read(o), std::nullopt, {}, kNow + std::chrono::seconds(30));
  EXPECT_EQ(again["containers"]["web"], web);
}

TEST(ContainerGroupLogicTest, StatusWhenDeleting) {
  json o = object();
  o["metadata"]["deletionTimestamp"] = rfc3339(kNow);
  o["status"] = {{"provisioningState", "Succeeded"}, {"ipAddress", "1.2.3.4"}};
  json status = groupStatus(o, read(o), std::nullopt, {}, kNow);
  EXPECT_EQ(status["provisioningState"], "Deleting");
  EXPECT_EQ(status["ipAddress"], "1.2.3.4");
}

TEST(ContainerGroupLogicTest, ProvisioningDeadline) {
  json o = object();
  json pod = podFor(o, kNow - 10min);
  json status = {{"provisioningState", "Pending"}};
  auto deadline = provisioningDeadline(status, pod);
  ASSERT_TRUE(deadline);
  EXPECT_EQ(*deadline, kNow + 20min);
  EXPECT_FALSE(provisioningDeadline({{"provisioningState", "Succeeded"}}, pod));
  pod["status"]["phase"] = "Running";
  EXPECT_FALSE(provisioningDeadline(status, pod));
}

}  // namespace
}  // namespace berth::controllers
