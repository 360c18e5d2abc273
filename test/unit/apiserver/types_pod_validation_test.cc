#include <gtest/gtest.h>

#include "api/pod_codec.h"
#include "apiserver/builtin_types.h"
#include "apiserver/pod_strategy.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

json basePod() {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "web"}, {"namespace", "default"}}},
          {"spec", {{"containers", {{{"name", "main"}, {"image", "nginx:1.25"}}}}}}};
}

json defaulted(json pod) {
  applyPodDefaults(pod);
  return pod;
}

TEST(PodTypeTest, DescribesItself) {
  ResourceType t = podType();
  EXPECT_EQ(t.resource, "pods");
  EXPECT_EQ(t.kind, "Pod");
  EXPECT_EQ(t.shortNames, std::vector<std::string>{"po"});
  EXPECT_EQ(t.categories, std::vector<std::string>{"all"});
  EXPECT_EQ(t.subresources,
            (std::vector<std::string>{"status", "binding", "log", "exec", "eviction"}));
  EXPECT_TRUE(t.hasStatus);
  EXPECT_TRUE(t.namespaced);
  ASSERT_TRUE(t.defaults && t.validate && t.unknownFields && t.prepareForCreate && t.row &&
              t.fields);
}

TEST(PodTypeTest, DefaultsKeepFieldsTheTypedPodDoesNotModel) {
  json pod = basePod();
  pod["spec"]["affinity"] = {{"nodeAffinity", {{"x", 1}}}};
  pod["spec"]["containers"][0]["lifecycle"] = {{"preStop", {{"exec", {{"command", {"sh"}}}}}}};
  pod["spec"]["containers"][0]["ports"] = {{{"containerPort", 80}}};
  pod["spec"]["restartPolicy"] = "Never";
  applyPodDefaults(pod);
  EXPECT_EQ(pod["spec"]["affinity"]["nodeAffinity"]["x"], 1);
  EXPECT_TRUE(pod["spec"]["containers"][0].contains("lifecycle"));
  EXPECT_EQ(pod["spec"]["restartPolicy"], "Never");  // kept
  EXPECT_EQ(pod["spec"]["terminationGracePeriodSeconds"], 30);
  EXPECT_EQ(pod["spec"]["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(pod["spec"]["schedulerName"], "default-scheduler");
  EXPECT_EQ(pod["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(pod["spec"]["containers"][0]["terminationMessagePath"], "/dev/termination-log");
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0]["protocol"], "TCP");
}

TEST(PodTypeTest, DefaultsCopyLimitsIntoRequests) {
  json pod = basePod();
  pod["spec"]["containers"][0]["resources"] = {{"limits", {{"cpu", "500m"}, {"memory", "64Mi"}}}};
  applyPodDefaults(pod);
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["requests"]["cpu"], "500m");
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["requests"]["memory"], "64Mi");
}

TEST(PodTypeTest, PrepareForCreateResetsStatusAndComputesQos) {
  json pod = basePod();
  pod["status"] = {{"phase", "Running"}, {"podIP", "1.2.3.4"}};
  pod["spec"]["nodeName"] = "node-1";
  preparePodForCreate(pod);
  EXPECT_EQ(pod["status"], (json{{"phase", "Pending"}, {"qosClass", "BestEffort"}}));
  EXPECT_EQ(pod["spec"]["nodeName"], "node-1");

  json guaranteed = basePod();
  guaranteed["spec"]["containers"][0]["resources"] = {
      {"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}};
  preparePodForCreate(guaranteed);
  EXPECT_EQ(guaranteed["status"]["qosClass"], "Guaranteed");

  json burstable = basePod();
  burstable["spec"]["containers"][0]["resources"] = {{"requests", {{"cpu", "100m"}}}};
  preparePodForCreate(burstable);
  EXPECT_EQ(burstable["status"]["qosClass"], "Burstable");

  json unequal = basePod();
  unequal["spec"]["containers"][0]["resources"] = {
      {"requests", {{"cpu", "500m"}, {"memory", "1Gi"}}},
      {"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}};
  preparePodForCreate(unequal);
  EXPECT_EQ(unequal["status"]["qosClass"], "Burstable");
}

TEST(PodTypeTest, ValidCreateHasNoCauses) {
  EXPECT_TRUE(validatePodObject(defaulted(basePod()), nullptr).empty());
}

TEST(PodTypeTest, CreateCausesNameFieldsAndMessages) {
  json pod = basePod();
  pod["metadata"]["name"] = "Bad_Name";
  pod["spec"]["containers"][0].erase("image");
  pod["spec"]["restartPolicy"] = "Sometimes";
  auto causes = validatePodObject(defaulted(pod), nullptr);
  auto find = [&](const std::string& field) -> const Cause* {
    for (const auto& c : causes) {
      if (c.field == field) {
        return &c;
      }
    }
    return nullptr;
  };
  const Cause* name = find("metadata.name");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->reason, "FieldValueInvalid");
  EXPECT_TRUE(
      name->message.starts_with("Invalid value: \"Bad_Name\": a lowercase RFC 1123 "
                                "subdomain must consist of"))
      << name->message;
  const Cause* image = find("spec.containers[0].image");
  ASSERT_TRUE(image);
  EXPECT_EQ(image->reason, "FieldValueRequired");
  EXPECT_EQ(image->message, "Required value");
  const Cause* policy = find("spec.restartPolicy");
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->reason, "FieldValueNotSupported");
  EXPECT_TRUE(policy->message.starts_with("Unsupported value: \"Sometimes\": supported values: "))
      << policy->message;
}

TEST(PodTypeTest, TypeErrorsBecomeCauses) {
  json pod = basePod();
  pod["spec"]["containers"][0]["ports"] = {{{"containerPort", "eighty"}}};
  auto causes = validatePodObject(pod, nullptr);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.containers[0].ports[0].containerPort");
  EXPECT_EQ(causes[0].reason, "FieldValueInvalid");
}

TEST(PodTypeTest, UnknownFieldsComeFromTheTypedPod) {
  json pod = basePod();
  pod["spec"]["containers"][0]["imagee"] = "x";
  auto unknown = podType().unknownFields(pod);
  EXPECT_EQ(unknown, std::vector<std::string>{"spec.containers[0].imagee"});
}

constexpr const char* kUpdateMessage =
    "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
    "to 1 if it was previously negative)";

TEST(PodTypeTest, UpdateMayChangeImagesDeadlineAndAddTolerations) {
  json old = defaulted(basePod());
  old["spec"]["activeDeadlineSeconds"] = 100;
  old["spec"]["tolerations"] = {{{"key", "a"}, {"operator", "Exists"}}};
  json next = old;
  next["spec"]["containers"][0]["image"] = "nginx:1.26";
  next["spec"]["activeDeadlineSeconds"] = 50;
  next["spec"]["tolerations"].push_back({{"key", "b"}, {"operator", "Exists"}});
  next["metadata"]["labels"] = {{"app", "web"}};
  EXPECT_TRUE(validatePodObject(next, &old).empty());
}

TEST(PodTypeTest, UpdateOfOtherSpecFieldsIsForbidden) {
  json old = defaulted(basePod());
  json next = old;
  next["spec"]["containers"][0]["command"] = {"sleep", "1"};
  auto causes = validatePodObject(next, &old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec");
  EXPECT_EQ(causes[0].reason, "FieldValueForbidden");
  EXPECT_EQ(causes[0].message, kUpdateMessage);

  json moved = old;
  moved["spec"]["nodeName"] = "node-2";
  ASSERT_EQ(validatePodObject(moved, &old).size(), 1u);
  EXPECT_EQ(validatePodObject(moved, &old)[0].message, kUpdateMessage);
}

TEST(PodTypeTest, UpdateMayNotAddContainers) {
  json old = defaulted(basePod());
  json next = old;
  next["spec"]["containers"].push_back(next["spec"]["containers"][0]);
  next["spec"]["containers"][1]["name"] = "side";
  auto causes = validatePodObject(next, &old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.containers");
  EXPECT_EQ(causes[0].message, "Forbidden: pod updates may not add or remove containers");
}

TEST(PodTypeTest, UpdateDeadlineAndTolerationRules) {
  json old = defaulted(basePod());
  old["spec"]["activeDeadlineSeconds"] = 100;
  old["spec"]["tolerations"] = {{{"key", "a"}, {"operator", "Exists"}}};
  json longer = old;
  longer["spec"]["activeDeadlineSeconds"] = 200;
  auto causes = validatePodObject(longer, &old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.activeDeadlineSeconds");
  EXPECT_EQ(causes[0].message, "Invalid value: 200: must be less than or equal to previous value");

  json removed = old;
  removed["spec"].erase("tolerations");
  causes = validatePodObject(removed, &old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.tolerations");
  EXPECT_EQ(causes[0].message,
            "Forbidden: existing toleration can not be modified except its tolerationSeconds");
}

TEST(PodTypeTest, UpdateIgnoresNullsAndEmptyLists) {
  json old = defaulted(basePod());
  json next = old;
  next["spec"]["nodeSelector"] = nullptr;
  next["spec"]["volumes"] = json::array();
  EXPECT_TRUE(validatePodObject(next, &old).empty());
}

TEST(PodTypeTest, FieldSelectorAttributes) {
  json pod = basePod();
  pod["spec"]["nodeName"] = "node-1";
  pod["status"] = {{"phase", "Running"}, {"podIPs", {{{"ip", "10.0.0.7"}}}}};
  auto fields = podFields(defaulted(pod));
  EXPECT_EQ(fields["spec.nodeName"], "node-1");
  EXPECT_EQ(fields["status.phase"], "Running");
  EXPECT_EQ(fields["status.podIP"], "10.0.0.7");
  EXPECT_EQ(fields["spec.restartPolicy"], "Always");
  EXPECT_EQ(fields["spec.schedulerName"], "default-scheduler");
  EXPECT_EQ(fields["status.nominatedNodeName"], "");
  EXPECT_EQ(fields["spec.hostNetwork"], "false");
}

}  // namespace
}  // namespace berth::apiserver
