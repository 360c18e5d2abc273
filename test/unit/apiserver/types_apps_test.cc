// apps/v1 Deployment and ReplicaSet resource types: defaults, validation messages as
// Kubernetes words them, Table rows, unknown fields.

#include <gtest/gtest.h>

#include "apiserver/builtin_types.h"
#include "apiserver/human_duration.h"
#include "apiserver/workload_support.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

NowFn fixedNow() {
  return [] { return *parseRfc3339("2024-05-03T12:00:00Z"); };
}

json deployment() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default",
                 "creationTimestamp": "2024-05-03T11:00:00Z"},
    "spec": {
      "selector": {"matchLabels": {"app": "web"}},
      "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "httpd", "image": "busybox:1"},
                                {"name": "side", "image": "nginx"}]}
      }
    }
  })");
}

// The object as it is after create's prepare and defaults.
json admitted(const ResourceType& t, json object) {
  t.prepareForCreate(object);
  t.defaults(object);
  return object;
}

std::vector<std::string> texts(const std::vector<Cause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) {
    out.push_back(c.field + ": " + c.message);
  }
  return out;
}

bool hasText(const std::vector<Cause>& causes, const std::string& text) {
  for (const auto& t : texts(causes)) {
    if (t == text) {
      return true;
    }
  }
  return false;
}

std::string joined(const std::vector<Cause>& causes) {
  std::string out;
  for (const auto& t : texts(causes)) {
    out += t + "\n";
  }
  return out;
}

// --- Deployment ---

TEST(DeploymentTypeTest, Names) {
  ResourceType t = deploymentType();
  EXPECT_EQ(t.apiVersion(), "apps/v1");
  EXPECT_EQ(t.resource, "deployments");
  EXPECT_EQ(t.shortNames, std::vector<std::string>{"deploy"});
  EXPECT_EQ(t.categories, std::vector<std::string>{"all"});
  EXPECT_EQ(t.subresources, (std::vector<std::string>{"status", "scale"}));
  EXPECT_TRUE(t.hasGeneration);
  EXPECT_TRUE(t.hasStatus);
  ASSERT_TRUE(t.scale.has_value());
  EXPECT_EQ(t.scale->specReplicasPath, "/spec/replicas");
}

TEST(DeploymentTypeTest, DefaultsAsKubernetes) {
  ResourceType t = deploymentType();
  json d = admitted(t, deployment());
  EXPECT_EQ(d["spec"]["replicas"], 1);
  EXPECT_EQ(d["spec"]["strategy"]["type"], "RollingUpdate");
  EXPECT_EQ(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
  EXPECT_EQ(d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], "25%");
  EXPECT_EQ(d["spec"]["revisionHistoryLimit"], 10);
  EXPECT_EQ(d["spec"]["progressDeadlineSeconds"], 600);
  EXPECT_EQ(d["status"], json::object());
  const json& pod = d["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Always");
  EXPECT_EQ(pod["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(pod["terminationGracePeriodSeconds"], 30);
  EXPECT_EQ(pod["schedulerName"], "default-scheduler");
  EXPECT_EQ(pod["containers"][0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(pod["containers"][1]["imagePullPolicy"], "Always");  // no tag
  EXPECT_EQ(pod["containers"][0]["terminationMessagePath"], "/dev/termination-log");
  EXPECT_TRUE(t.validate(d, nullptr).empty()) << joined(t.validate(d, nullptr));
}

TEST(DeploymentTypeTest, DefaultsKeepGivenValues) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["replicas"] = 0;
  d["spec"]["strategy"] = {{"rollingUpdate", {{"maxSurge", 2}}}};
  d["spec"]["revisionHistoryLimit"] = 0;
  d = admitted(t, d);
  EXPECT_EQ(d["spec"]["replicas"], 0);
  EXPECT_EQ(d["spec"]["strategy"]["type"], "RollingUpdate");
  EXPECT_EQ(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], 2);
  EXPECT_EQ(d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], "25%");
  EXPECT_EQ(d["spec"]["revisionHistoryLimit"], 0);

  json recreate = deployment();
  recreate["spec"]["strategy"] = {{"type", "Recreate"}};
  recreate = admitted(t, recreate);
  EXPECT_FALSE(recreate["spec"]["strategy"].contains("rollingUpdate"));
  EXPECT_TRUE(t.validate(recreate, nullptr).empty());
}

TEST(DeploymentTypeTest, NegativeReplicas) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["replicas"] = -1;
  auto causes = t.validate(admitted(t, d), nullptr);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(texts(causes)[0],
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0");
  EXPECT_EQ(causes[0].reason, "FieldValueInvalid");
}

TEST(DeploymentTypeTest, SelectorMustMatchTemplateLabels) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["template"]["metadata"]["labels"] = {{"app", "x"}};
  auto causes = t.validate(admitted(t, d), nullptr);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(texts(causes)[0],
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: "
            "`selector` does not match template `labels`");
}

TEST(DeploymentTypeTest, MissingSelectorIsRequiredAndMatchesNothing) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"].erase("selector");
  d["spec"]["template"]["metadata"]["labels"] = {{"app", "web"}, {"tier", "front"}};
  auto causes = t.validate(admitted(t, d), nullptr);
  EXPECT_TRUE(hasText(causes, "spec.selector: Required value")) << joined(causes);
  EXPECT_TRUE(hasText(causes,
                      "spec.template.metadata.labels: Invalid value: "
                      "map[string]string{\"app\":\"web\", \"tier\":\"front\"}: `selector` does "
                      "not match template `labels`"))
      << joined(causes);
  EXPECT_EQ(causes[0].reason, "FieldValueRequired");
}

TEST(DeploymentTypeTest, EmptyAndMalformedSelectors) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["selector"] = json::object();
  auto causes = t.validate(admitted(t, d), nullptr);
  EXPECT_TRUE(hasText(causes,
                      "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]"
                      "string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty "
                      "selector is invalid for deployment"))
      << joined(causes);

  json e = deployment();
  e["spec"]["selector"] = {
      {"matchExpressions", json::array({{{"key", "app"}, {"operator", "In"}}})}};
  causes = t.validate(admitted(t, e), nullptr);
  EXPECT_TRUE(hasText(causes,
                      "spec.selector.matchExpressions[0].values: Required value: must be "
                      "specified when `operator` is 'In' or 'NotIn'"))
      << joined(causes);

  json f = deployment();
  f["spec"]["selector"] = {
      {"matchExpressions", json::array({{{"key", "app"}, {"operator", "Like"}}})}};
  causes = t.validate(admitted(t, f), nullptr);
  EXPECT_TRUE(hasText(causes,
                      "spec.selector.matchExpressions[0].operator: Invalid value: \"Like\": not a "
                      "valid selector operator"))
      << joined(causes);

  json g = deployment();
  g["spec"]["selector"] = {
      {"matchExpressions",
       json::array({{{"key", "app"}, {"operator", "In"}, {"values", {"web", "api"}}}})}};
  EXPECT_TRUE(t.validate(admitted(t, g), nullptr).empty());
}

TEST(DeploymentTypeTest, MaxSurgeAndMaxUnavailableBothZero) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["strategy"] = {{"type", "RollingUpdate"},
                           {"rollingUpdate", {{"maxSurge", 0}, {"maxUnavailable", 0}}}};
  auto causes = t.validate(admitted(t, d), nullptr);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(texts(causes)[0],
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
            "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0");

  json p = deployment();
  p["spec"]["strategy"] = {{"rollingUpdate", {{"maxSurge", "0%"}, {"maxUnavailable", "0%"}}}};
  causes = t.validate(admitted(t, p), nullptr);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(texts(causes)[0],
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
            "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}: may not be 0 when `maxSurge` is "
            "0");
}

TEST(DeploymentTypeTest, PercentRules) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["strategy"] = {{"rollingUpdate", {{"maxSurge", "20Percent"}, {"maxUnavailable", 1}}}};
  auto causes = t.validate(admitted(t, d), nullptr);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(texts(causes)[0],
            "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, "
            "IntVal:0, StrVal:\"20Percent\"}: a valid percent string must be a numeric string "
            "followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is "
            "'[0-9]+%')");

  json big = deployment();
  big["spec"]["strategy"] = {{"rollingUpdate", {{"maxUnavailable", "150%"}}}};
  causes = t.validate(admitted(t, big), nullptr);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(texts(causes)[0],
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
            "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than "
            "100%");
  // A surge above 100% is fine.
  json surge = deployment();
  surge["spec"]["strategy"] = {{"rollingUpdate", {{"maxSurge", "200%"}}}};
  EXPECT_TRUE(t.validate(admitted(t, surge), nullptr).empty());

  json negative = deployment();
  negative["spec"]["strategy"] = {{"rollingUpdate", {{"maxSurge", -2}}}};
  causes = t.validate(admitted(t, negative), nullptr);
  EXPECT_TRUE(hasText(causes,
                      "spec.strategy.rollingUpdate.maxSurge: Invalid value: -2: must be greater "
                      "than or equal to 0"))
      << joined(causes);
}

TEST(DeploymentTypeTest, StrategyTypes) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["strategy"] = {{"type", "Recreate"}, {"rollingUpdate", {{"maxSurge", 1}}}};
  auto causes = t.validate(admitted(t, d), nullptr);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(texts(causes)[0],
            "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` "
            "is 'Recreate'");

  json bad = deployment();
  bad["spec"]["strategy"] = {{"type", "Blue"}};
  causes = t.validate(admitted(t, bad), nullptr);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(causes[0].field, "spec.strategy");
  EXPECT_EQ(causes[0].reason, "FieldValueNotSupported");
  EXPECT_NE(causes[0].message.find("supported values: \"Recreate\", \"RollingUpdate\""),
            std::string::npos);
}

TEST(DeploymentTypeTest, TemplateRules) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure";
  d["spec"]["template"]["spec"]["containers"][0].erase("image");
  d["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 10;
  auto causes = t.validate(admitted(t, d), nullptr);
  EXPECT_TRUE(hasText(causes, "spec.template.spec.containers[0].image: Required value"))
      << joined(causes);
  EXPECT_TRUE(hasText(causes,
                      "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": "
                      "supported values: \"Always\""))
      << joined(causes);
  EXPECT_TRUE(hasText(causes,
                      "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds "
                      "in ReplicaSet is not Supported"))
      << joined(causes);

  // A template label is checked as a pod's, under spec.template.labels.
  json labels = deployment();
  labels["spec"]["template"]["metadata"]["labels"]["bad key!"] = "x";
  causes = t.validate(admitted(t, labels), nullptr);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(causes[0].field, "spec.template.labels");

  // An invalid selector skips the template checks (LabelSelectorAsSelector fails first).
  json selector = deployment();
  selector["spec"]["selector"]["matchLabels"] = {{"app", "bad value!"}};
  causes = t.validate(admitted(t, selector), nullptr);
  ASSERT_EQ(causes.size(), 2u) << joined(causes);
  EXPECT_EQ(causes[0].field, "spec.selector.matchLabels");
  EXPECT_EQ(texts(causes)[1],
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"
            "\"app\":\"bad value!\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
            "invalid label selector");
}

TEST(DeploymentTypeTest, ProgressDeadlineAndCounts) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["minReadySeconds"] = 30;
  d["spec"]["progressDeadlineSeconds"] = 30;
  d["spec"]["revisionHistoryLimit"] = -1;
  auto causes = t.validate(admitted(t, d), nullptr);
  EXPECT_TRUE(hasText(causes,
                      "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than "
                      "minReadySeconds"))
      << joined(causes);
  EXPECT_TRUE(hasText(causes,
                      "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or "
                      "equal to 0"))
      << joined(causes);

  json s = admitted(t, deployment());
  s["status"] = {{"replicas", 1}, {"readyReplicas", 2}};
  causes = t.validate(s, nullptr);
  EXPECT_TRUE(hasText(causes,
                      "status.readyReplicas: Invalid value: 2: cannot be greater than "
                      "status.replicas"))
      << joined(causes);
}

TEST(DeploymentTypeTest, SelectorIsImmutable) {
  ResourceType t = deploymentType();
  json old = admitted(t, deployment());
  json next = old;
  next["spec"]["selector"] = {{"matchLabels", {{"app", "web"}, {"v", "2"}}}};
  next["spec"]["template"]["metadata"]["labels"]["v"] = "2";
  auto causes = t.validate(next, &old);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(texts(causes)[0],
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"
            "\"app\":\"web\", \"v\":\"2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
            "field is immutable");
  json scaled = old;
  scaled["spec"]["replicas"] = 4;
  EXPECT_TRUE(t.validate(scaled, &old).empty());
}

TEST(DeploymentTypeTest, AnnotationChangesBumpGeneration) {
  ResourceType t = deploymentType();
  json old = admitted(t, deployment());
  old["metadata"]["generation"] = 3;
  json next = old;
  next["metadata"]["annotations"] = {{"kubernetes.io/change-cause", "x"}};
  t.prepareForUpdate(next, old);
  EXPECT_EQ(next["metadata"]["generation"], 4);
  // Already bumped for a spec change: not twice.
  json both = old;
  both["metadata"]["generation"] = 4;
  both["metadata"]["annotations"] = {{"a", "b"}};
  t.prepareForUpdate(both, old);
  EXPECT_EQ(both["metadata"]["generation"], 4);
  json same = old;
  t.prepareForUpdate(same, old);
  EXPECT_EQ(same["metadata"]["generation"], 3);
}

TEST(DeploymentTypeTest, UnknownFields) {
  ResourceType t = deploymentType();
  json d = deployment();
  d["spec"]["replica"] = 3;
  d["spec"]["strategy"] = {{"rollingUpdate", {{"maxSurg", 1}}}};
  d["spec"]["template"]["spec"]["containers"][0]["imagee"] = "x";
  d["spec"]["template"]["metadata"]["labelz"] = json::object();
  auto unknown = t.unknownFields(d);
  std::sort(unknown.begin(), unknown.end());
  EXPECT_EQ(unknown,
            (std::vector<std::string>{"spec.replica", "spec.strategy.rollingUpdate.maxSurg",
                                      "spec.template.metadata.labelz",
                                      "spec.template.spec.containers[0].imagee"}));
  EXPECT_TRUE(t.unknownFields(admitted(t, deployment())).empty());
}

TEST(DeploymentTypeTest, TableRow) {
  ResourceType t = deploymentType(fixedNow());
  json d = admitted(t, deployment());
  d["spec"]["replicas"] = 3;
  d["status"] = {
      {"replicas", 3}, {"readyReplicas", 2}, {"updatedReplicas", 3}, {"availableReplicas", 2}};
  std::vector<std::string> names;
  for (const auto& c : t.columns) {
    names.push_back(c.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available", "Age",
                                             "Containers", "Images", "Selector"}));
  EXPECT_EQ(t.columns[5].priority, 1);
  EXPECT_EQ(t.columns[0].format, "name");
  auto row = t.row(d);
  ASSERT_EQ(row.size(), t.columns.size());
  EXPECT_EQ(row[0], "web");
  EXPECT_EQ(row[1], "2/3");
  EXPECT_EQ(row[2], 3);
  EXPECT_EQ(row[3], 2);
  EXPECT_EQ(row[4], "60m");
  EXPECT_EQ(row[5], "httpd,side");
  EXPECT_EQ(row[6], "busybox:1,nginx");
  EXPECT_EQ(row[7], "app=web");
  // No status yet: zeros.
  auto fresh = t.row(admitted(t, deployment()));
  EXPECT_EQ(fresh[1], "0/1");
  EXPECT_EQ(fresh[2], 0);
}

// --- ReplicaSet ---

json replicaSet() {
  json rs = deployment();
  rs["kind"] = "ReplicaSet";
  rs["metadata"]["name"] = "web-5d4f";
  return rs;
}

TEST(ReplicaSetTypeTest, NamesDefaultsAndValidation) {
  ResourceType t = replicaSetType();
  EXPECT_EQ(t.shortNames, std::vector<std::string>{"rs"});
  EXPECT_EQ(t.categories, std::vector<std::string>{"all"});
  EXPECT_EQ(t.subresources, (std::vector<std::string>{"status", "scale"}));
  json rs = admitted(t, replicaSet());
  EXPECT_EQ(rs["spec"]["replicas"], 1);
  EXPECT_FALSE(rs["spec"].contains("strategy"));
  EXPECT_EQ(rs["status"], (json{{"replicas", 0}}));
  EXPECT_EQ(rs["spec"]["template"]["spec"]["restartPolicy"], "Always");
  EXPECT_TRUE(t.validate(rs, nullptr).empty()) << joined(t.validate(rs, nullptr));

  json bad = replicaSet();
  bad["spec"]["replicas"] = -1;
  bad["spec"]["template"]["metadata"]["labels"] = {{"app", "x"}};
  auto causes = t.validate(admitted(t, bad), nullptr);
  EXPECT_EQ(texts(causes),
            (std::vector<std::string>{
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: "
                "`selector` does not match template `labels`"}));

  json old = rs;
  json next = rs;
  next["spec"]["selector"]["matchLabels"]["app"] = "other";
  next["spec"]["template"]["metadata"]["labels"]["app"] = "other";
  causes = t.validate(next, &old);
  ASSERT_EQ(causes.size(), 1u) << joined(causes);
  EXPECT_EQ(causes[0].field, "spec.selector");
  EXPECT_NE(causes[0].message.find("field is immutable"), std::string::npos);

  json unknown = replicaSet();
  unknown["spec"]["strategy"] = json::object();
  EXPECT_EQ(t.unknownFields(unknown), std::vector<std::string>{"spec.strategy"});
}

TEST(ReplicaSetTypeTest, TableRowAndFields) {
  ResourceType t = replicaSetType(fixedNow());
  json rs = admitted(t, replicaSet());
  rs["spec"]["replicas"] = 3;
  rs["status"] = {{"replicas", 2}, {"readyReplicas", 1}};
  std::vector<std::string> names;
  for (const auto& c : t.columns) {
    names.push_back(c.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Desired", "Current", "Ready", "Age",
                                             "Containers", "Images", "Selector"}));
  auto row = t.row(rs);
  EXPECT_EQ(row, (std::vector<json>{"web-5d4f", 3, 2, 1, "60m", "httpd,side", "busybox:1,nginx",
                                    "app=web"}));
  EXPECT_EQ(t.fields(rs).at("status.replicas"), "2");
}

// --- Go renderings ---

TEST(WorkloadSupportTest, GoRenderings) {
  EXPECT_EQ(workload::goStringMap(nullptr), "map[string]string(nil)");
  json empty = json::object();
  EXPECT_EQ(workload::goStringMap(&empty), "map[string]string{}");
  json labels = {{"b", "2"}, {"a", "1"}};
  EXPECT_EQ(workload::goStringMap(&labels), "map[string]string{\"a\":\"1\", \"b\":\"2\"}");
  json selector = {
      {"matchExpressions", json::array({{{"key", "a"}, {"operator", "In"}, {"values", {"x"}}}})}};
  EXPECT_EQ(workload::goLabelSelector(selector),
            "v1.LabelSelector{MatchLabels:map[string]string(nil), "
            "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"a\", "
            "Operator:\"In\", Values:[]string{\"x\"}}}}");
  EXPECT_EQ(workload::intOrPercentValue({1, 0, "25%"}), 25);
  EXPECT_EQ(workload::intOrPercentValue({1, 0, "7"}), 7);
  EXPECT_EQ(workload::intOrPercentValue({1, 0, "abc"}), 0);
  EXPECT_EQ(workload::intOrPercentValue({0, 3, ""}), 3);
}

}  // namespace
}  // namespace berth::apiserver
