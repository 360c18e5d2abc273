// Strategic merge patch with the built-in schema and the patches kubectl really sends.

#include "apiserver/strategic_merge.h"

#include <gtest/gtest.h>

namespace berth::apiserver {
namespace {

using nlohmann::json;

json deployment() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web", "tier": "front"},
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}\n"},
                 "finalizers": ["a.example.com/x", "b.example.com/y"]},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
             "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [
                            {"name": "nginx", "image": "nginx:1.25",
                             "ports": [{"containerPort": 80, "protocol": "TCP"}],
                             "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                            {"name": "sidecar", "image": "busybox",
                             "ports": [{"containerPort": 9090}]}],
                           "volumes": [{"name": "data", "emptyDir": {}}]}}}})");
}

json smp(const json& target, std::string_view patch, std::string_view apiVersion = "apps/v1",
         std::string_view kind = "Deployment") {
  auto result = applyStrategicMergePatch(target, json::parse(patch), apiVersion, kind);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
  return result ? *result : json();
}

std::string smpError(const json& target, std::string_view patch,
                     std::string_view apiVersion = "apps/v1",
                     std::string_view kind = "Deployment") {
  auto result = applyStrategicMergePatch(target, json::parse(patch), apiVersion, kind);
  EXPECT_FALSE(result.has_value()) << result->dump();
  if (result) {
    return "";
  }
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  return result.error().message();
}

const json& container(const json& d, size_t i) {
  return d["spec"]["template"]["spec"]["containers"][i];
}

TEST(StrategicMergeTest, KubectlApplySecondTimeKeepsPortsOfMergedContainers) {
  // kubectl.md §4: the three-way patch of `kubectl apply` after an image change.
  json out = smp(deployment(), R"({
    "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{new}\n"}},
    "spec": {"template": {"spec": {
      "$setElementOrder/containers": [{"name": "nginx"}, {"name": "sidecar"}],
      "containers": [{"image": "nginx:1.26", "name": "nginx"}]}}}})");
  EXPECT_EQ(out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
            "{new}\n");
  ASSERT_EQ(out["spec"]["template"]["spec"]["containers"].size(), 2u);
  EXPECT_EQ(container(out, 0)["image"], "nginx:1.26");
  EXPECT_EQ(container(out, 0)["ports"], json::parse(R"([{"containerPort":80,"protocol":"TCP"}])"));
  EXPECT_EQ(container(out, 0)["env"].size(), 2u);
  EXPECT_EQ(container(out, 1)["name"], "sidecar");
  EXPECT_EQ(container(out, 1)["ports"][0]["containerPort"], 9090);
  // No directive leaks into the stored object.
  EXPECT_FALSE(out["spec"]["template"]["spec"].contains("$setElementOrder/containers"));
  EXPECT_EQ(out["spec"]["replicas"], 2);
}

TEST(StrategicMergeTest, NullRemovesAField) {
  json out = smp(deployment(), R"({"metadata":{"labels":{"tier":null}},"spec":{"strategy":null}})");
  EXPECT_EQ(out["metadata"]["labels"], json::parse(R"({"app":"web"})"));
  EXPECT_FALSE(out["spec"].contains("strategy"));
  // `kubectl apply` sends "labels": null when the manifest drops them.
  json noLabels = smp(deployment(), R"({"metadata":{"labels":null}})");
  EXPECT_FALSE(noLabels["metadata"].contains("labels"));
}

TEST(StrategicMergeTest, RolloutRestartPauseAndLabelPatches) {
  json restarted = smp(deployment(), R"({"spec":{"template":{"metadata":{"annotations":{
      "kubectl.kubernetes.io/restartedAt":"2024-05-01T10:00:00Z"}}}}})");
  EXPECT_EQ(
      restarted["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
      "2024-05-01T10:00:00Z");
  EXPECT_EQ(restarted["spec"]["template"]["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(restarted["spec"]["template"]["spec"], deployment()["spec"]["template"]["spec"]);

  json paused = smp(deployment(), R"({"spec":{"paused":true}})");
  EXPECT_EQ(paused["spec"]["paused"], true);
  json resumed = smp(paused, R"({"spec":{"paused":null}})");
  EXPECT_FALSE(resumed["spec"].contains("paused"));

  json labelled = smp(deployment(), R"({"metadata":{"labels":{"env":"prod","app":null}}})");
  EXPECT_EQ(labelled["metadata"]["labels"], json::parse(R"({"env":"prod","tier":"front"})"));
  json annotated = smp(deployment(), R"({"metadata":{"annotations":{"note":"x"}}})");
  EXPECT_EQ(annotated["metadata"]["annotations"].size(), 2u);
}

TEST(StrategicMergeTest, CordonAndUncordonANode) {
  json node = json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},
    "spec":{"taints":[{"key":"a","effect":"NoSchedule"}]},
    "status":{"conditions":[{"type":"Ready","status":"True"},{"type":"MemoryPressure",
                             "status":"False"}],
              "addresses":[{"type":"InternalIP","address":"10.0.0.1"},
                           {"type":"Hostname","address":"n1"}]}})");
  json cordoned = smp(node, R"({"spec":{"unschedulable":true}})", "v1", "Node");
  EXPECT_EQ(cordoned["spec"]["unschedulable"], true);
  EXPECT_EQ(cordoned["spec"]["taints"].size(), 1u);
  json uncordoned = smp(cordoned, R"({"spec":{"unschedulable":null}})", "v1", "Node");
  EXPECT_EQ(uncordoned, node);

  // status.conditions merge by type; spec.taints has no strategy and is replaced.
  json patched = smp(node, R"({"spec":{"taints":[{"key":"b","effect":"NoExecute"}]},
    "status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletDown"}],
              "addresses":[{"type":"InternalIP","address":"10.0.0.2"}]}})",
                     "v1", "Node");
  EXPECT_EQ(patched["spec"]["taints"], json::parse(R"([{"key":"b","effect":"NoExecute"}])"));
  ASSERT_EQ(patched["status"]["conditions"].size(), 2u);
  EXPECT_EQ(patched["status"]["conditions"][0],
            json::parse(R"({"type":"Ready","status":"False","reason":"KubeletDown"})"));
  EXPECT_EQ(patched["status"]["conditions"][1]["type"], "MemoryPressure");
  EXPECT_EQ(patched["status"]["addresses"],
            json::parse(R"([{"type":"InternalIP","address":"10.0.0.2"},
                            {"type":"Hostname","address":"n1"}])"));
}

TEST(StrategicMergeTest, DeleteDirectiveInListElementRemovesIt) {
  json out = smp(deployment(), R"({"spec":{"template":{"spec":{
      "containers":[{"name":"sidecar","$patch":"delete"}]}}}})");
  ASSERT_EQ(out["spec"]["template"]["spec"]["containers"].size(), 1u);
  EXPECT_EQ(container(out, 0)["name"], "nginx");
  EXPECT_EQ(container(out, 0)["ports"][0]["containerPort"], 80);
}

TEST(StrategicMergeTest, ReplaceDirectiveOnMapsAndLists) {
  json out = smp(deployment(), R"({"spec":{"template":{"metadata":{
      "$patch":"replace","labels":{"app":"web2"}}}}})");
  EXPECT_EQ(out["spec"]["template"]["metadata"], json::parse(R"({"labels":{"app":"web2"}})"));

  json list = smp(deployment(), R"({"spec":{"template":{"spec":{"containers":[
      {"name":"only","image":"x"},{"$patch":"replace"}]}}}})");
  EXPECT_EQ(list["spec"]["template"]["spec"]["containers"],
            json::parse(R"([{"name":"only","image":"x"}])"));

  json deleted = smp(deployment(), R"({"spec":{"strategy":{"$patch":"delete"}}})");
  EXPECT_EQ(deleted["spec"]["strategy"], json::object());

  json merged = smp(deployment(), R"({"spec":{"strategy":{"$patch":"merge","type":"Recreate"}}})");
  EXPECT_EQ(merged["spec"]["strategy"]["type"], "Recreate");
  EXPECT_EQ(merged["spec"]["strategy"]["rollingUpdate"]["maxSurge"], 1);

  EXPECT_NE(smpError(deployment(), R"({"spec":{"strategy":{"$patch":"bogus"}}})")
                .find("spec.strategy: unknown $patch directive \"bogus\""),
            std::string::npos);
}

TEST(StrategicMergeTest, RetainKeysClearsOtherKeys) {
  // kubectl apply switching the strategy to Recreate sends $retainKeys for the union.
  json out = smp(deployment(), R"({"spec":{"strategy":{"$retainKeys":["type"],
      "type":"Recreate","rollingUpdate":null}}})");
  EXPECT_EQ(out["spec"]["strategy"], json::parse(R"({"type":"Recreate"})"));
  EXPECT_NE(smpError(deployment(), R"({"spec":{"strategy":{"$retainKeys":["type"],
      "rollingUpdate":{"maxSurge":2}}}})")
                .find("'rollingUpdate' is in the patch but not in $retainKeys"),
            std::string::npos);
}

TEST(StrategicMergeTest, FinalizersMergeAsASetAndDeleteFromPrimitiveList) {
  json out =
      smp(deployment(), R"({"metadata":{"finalizers":["b.example.com/y","c.example.com/z"]}})");
  // A union: stored-only values keep their place before the patch's values that follow them.
  EXPECT_EQ(out["metadata"]["finalizers"],
            json::parse(R"(["a.example.com/x","b.example.com/y","c.example.com/z"])"));
  json removed = smp(deployment(), R"({"metadata":{
      "$deleteFromPrimitiveList/finalizers":["a.example.com/x"]}})");
  EXPECT_EQ(removed["metadata"]["finalizers"], json::parse(R"(["b.example.com/y"])"));
  json ordered = smp(deployment(), R"({"metadata":{
      "$setElementOrder/finalizers":["b.example.com/y","a.example.com/x"]}})");
  EXPECT_EQ(ordered["metadata"]["finalizers"],
            json::parse(R"(["b.example.com/y","a.example.com/x"])"));
}

TEST(StrategicMergeTest, SetElementOrderReordersContainers) {
  json out = smp(deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"sidecar"},{"name":"nginx"}]}}}})");
  EXPECT_EQ(container(out, 0)["name"], "sidecar");
  EXPECT_EQ(container(out, 1)["name"], "nginx");
  EXPECT_EQ(container(out, 1)["env"].size(), 2u);
  EXPECT_NE(smpError(deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],
      "containers":[{"name":"sidecar","image":"a"},{"name":"nginx","image":"b"}]}}}})")
                .find("doesn't match the $setElementOrder list"),
            std::string::npos);
}

TEST(StrategicMergeTest, EnvMergesByNameAndPortsByContainerPort) {
  json out = smp(deployment(), R"({"spec":{"template":{"spec":{"containers":[{"name":"nginx",
      "env":[{"name":"B","value":"two"},{"name":"C","value":"3"},{"name":"A","$patch":"delete"}],
      "ports":[{"containerPort":443},{"containerPort":80,"name":"http"}]}]}}}})");
  const json& c = container(out, 0);
  EXPECT_EQ(c["env"], json::parse(R"([{"name":"B","value":"two"},{"name":"C","value":"3"}])"));
  EXPECT_EQ(c["ports"], json::parse(R"([{"containerPort":443},
                                        {"containerPort":80,"protocol":"TCP","name":"http"}])"));
  EXPECT_EQ(container(out, 1)["name"], "sidecar");
}

TEST(StrategicMergeTest, NewContainerIsAddedWithoutDirectivesOrNulls) {
  json out = smp(deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"},{"name":"new"}],
      "containers":[{"name":"new","image":"x","args":null,
                     "$setElementOrder/env":[{"name":"E"}],"env":[{"name":"E","value":"1"}]}]}}}})");
  ASSERT_EQ(out["spec"]["template"]["spec"]["containers"].size(), 3u);
  EXPECT_EQ(container(out, 2),
            json::parse(R"({"name":"new","image":"x","env":[{"name":"E","value":"1"}]})"));
}

TEST(StrategicMergeTest, MissingMergeKeyIsAnError) {
  std::string message = smpError(deployment(), R"({"spec":{"template":{"spec":{
      "containers":[{"image":"x"}]}}}})");
  EXPECT_EQ(message,
            "spec.template.spec.containers[0]: does not contain declared merge key 'name'");
}

TEST(StrategicMergeTest, WorkloadsShareThePodTemplateSchema) {
  json job = json::parse(R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[
      {"name":"a","image":"1","ports":[{"containerPort":1}]}]}}}}}})");
  json out = smp(job, R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[
      {"name":"a","image":"2"}]}}}}}})",
                 "batch/v1", "CronJob");
  json c = out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "2");
  EXPECT_EQ(c["ports"][0]["containerPort"], 1);

  json pod = json::parse(R"({"spec":{"containers":[{"name":"a","volumeMounts":[
      {"mountPath":"/a","name":"v"}]}],"volumes":[{"name":"v","emptyDir":{}}]},
      "status":{"conditions":[{"type":"Ready","status":"False"}],"podIPs":[{"ip":"10.0.0.1"}]}})");
  json patched = smp(pod, R"({"spec":{"containers":[{"name":"a","volumeMounts":[
      {"mountPath":"/b","name":"w"}]}],"volumes":[{"name":"w","configMap":{"name":"c"}}]},
      "status":{"conditions":[{"type":"PodScheduled","status":"True"}]}})",
                     "v1", "Pod");
  EXPECT_EQ(patched["spec"]["containers"][0]["volumeMounts"].size(), 2u);
  EXPECT_EQ(patched["spec"]["volumes"].size(), 2u);
  EXPECT_EQ(patched["status"]["conditions"].size(), 2u);
  EXPECT_EQ(patched["status"]["podIPs"].size(), 1u);

  json svc = json::parse(R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}})");
  json svcOut = smp(svc, R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})", "v1", "Service");
  EXPECT_EQ(svcOut["spec"]["ports"],
            json::parse(R"([{"port":80,"targetPort":9090},{"port":443}])"));
}

TEST(StrategicMergeTest, UnknownKindBehavesLikeMergePatch) {
  json obj = json::parse(R"({"spec":{"items":[{"name":"a","x":1}],"m":{"k":"v"}}})");
  json out =
      smp(obj, R"({"spec":{"items":[{"name":"b"}],"m":{"j":"w"}}})", "example.com/v1", "Widget");
  EXPECT_EQ(out, json::parse(R"({"spec":{"items":[{"name":"b"}],"m":{"k":"v","j":"w"}}})"));
}

TEST(StrategicMergeTest, RejectsNonObjectsAndLeavesTargetUntouched) {
  json target = deployment();
  EXPECT_FALSE(applyStrategicMergePatch(target, json::array(), "apps/v1", "Deployment"));
  EXPECT_FALSE(applyStrategicMergePatch(json(5), json::object(), "apps/v1", "Deployment"));
  smpError(target, R"({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})");
  EXPECT_EQ(target, deployment());
}

}  // namespace
}  // namespace berth::apiserver
