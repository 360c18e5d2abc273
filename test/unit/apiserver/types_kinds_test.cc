#include <gtest/gtest.h>

#include <algorithm>

#include "apiserver/builtin_types.h"
#include "apiserver/human_duration.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

NowFn fixedNow() {
  return [] { return *parseRfc3339("2024-05-03T12:00:00Z"); };
}

json meta(const std::string& name, const std::string& ns = "") {
  json m = {{"name", name}, {"creationTimestamp", "2024-05-01T08:00:00Z"}};
  if (!ns.empty()) {
    m["namespace"] = ns;
  }
  return m;
}

const Cause* findCause(const std::vector<Cause>& causes, const std::string& field) {
  for (const auto& c : causes) {
    if (c.field == field) {
      return &c;
    }
  }
  return nullptr;
}

// --- namespaces ---

TEST(NamespaceTypeTest, DefaultsAndPrepareForCreate) {
  ResourceType t = namespaceType();
  EXPECT_FALSE(t.namespaced);
  EXPECT_EQ(t.shortNames, std::vector<std::string>{"ns"});
  json ns = {
      {"metadata", {{"name", "team-a"}, {"labels", {{"kubernetes.io/metadata.name", "x"}}}}}};
  t.prepareForCreate(ns);
  t.defaults(ns);
  EXPECT_EQ(ns["metadata"]["labels"]["kubernetes.io/metadata.name"], "team-a");
  EXPECT_EQ(ns["spec"]["finalizers"], json::array({"kubernetes"}));
  EXPECT_EQ(ns["status"]["phase"], "Active");
  EXPECT_TRUE(t.validate(ns, nullptr).empty());
}

TEST(NamespaceTypeTest, NameMustBeALabel) {
  json ns = {{"metadata", {{"name", "a.b"}}}};
  auto causes = namespaceType().validate(ns, nullptr);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "metadata.name");
  EXPECT_EQ(causes[0].message,
            "Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case "
            "alphanumeric characters or '-', and must start and end with an alphanumeric "
            "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  auto missing = namespaceType().validate(json{{"metadata", json::object()}}, nullptr);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].reason, "FieldValueRequired");
  EXPECT_EQ(missing[0].message, "Required value: name or generateName is required");
}

TEST(NamespaceTypeTest, RowAndFields) {
  ResourceType t = namespaceType(fixedNow());
  json ns = {{"metadata", meta("default")}, {"status", {{"phase", "Active"}}}};
  EXPECT_EQ(t.row(ns), (std::vector<json>{"default", "Active", "2d4h"}));
  EXPECT_EQ(t.fields(ns).at("status.phase"), "Active");
}

// --- nodes ---

json node(bool ready, bool unschedulable) {
  json n = {{"metadata", meta("node-1")},
            {"spec", json::object()},
            {"status",
             {{"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}},
              {"nodeInfo",
               {{"kubeletVersion", "v1.32.0-berth"},
                {"osImage", "Debian GNU/Linux 12"},
                {"kernelVersion", "6.1.0"},
                {"containerRuntimeVersion", "crun://1.8"}}},
              {"addresses", {{{"type", "InternalIP"}, {"address", "10.0.0.1"}}}}}}};
  if (unschedulable) {
    n["spec"]["unschedulable"] = true;
  }
  return n;
}

TEST(NodeTypeTest, StatusColumn) {
  ResourceType t = nodeType(fixedNow());
  EXPECT_EQ(t.row(node(true, false))[1], "Ready");
  EXPECT_EQ(t.row(node(false, false))[1], "NotReady");
  EXPECT_EQ(t.row(node(true, true))[1], "Ready,SchedulingDisabled");
  json unknown = node(true, false);
  unknown["status"].erase("conditions");
  EXPECT_EQ(t.row(unknown)[1], "Unknown");
}

TEST(NodeTypeTest, RolesVersionAndWideColumns) {
  ResourceType t = nodeType(fixedNow());
  ASSERT_EQ(t.columns.size(), 10u);
  json n = node(true, false);
  auto row = t.row(n);
  EXPECT_EQ(row,
            (std::vector<json>{"node-1", "Ready", "<none>", "2d4h", "v1.32.0-berth", "10.0.0.1",
                               "<none>", "Debian GNU/Linux 12", "6.1.0", "crun://1.8"}));
  n["metadata"]["labels"] = {{"node-role.kubernetes.io/worker", ""},
                             {"node-role.kubernetes.io/control-plane", ""},
                             {"kubernetes.io/role", "edge"}};
  EXPECT_EQ(t.row(n)[2], "control-plane,edge,worker");
  EXPECT_EQ(t.fields(node(true, true)).at("spec.unschedulable"), "true");
  EXPECT_EQ(t.fields(node(true, false)).at("spec.unschedulable"), "false");
}

TEST(NodeTypeTest, ValidationAndUpdateRules) {
  ResourceType t = nodeType();
  json n = node(true, false);
  n["spec"]["taints"] = {{{"key", "dedicated"}, {"effect", "Sometimes"}}};
  auto causes = t.validate(n, nullptr);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.taints[0].effect");
  EXPECT_EQ(causes[0].message,
            "Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", "
            "\"PreferNoSchedule\", \"NoExecute\"");
  json old = node(true, false);
  old["spec"]["providerID"] = "berth://node-1";
  json next = old;
  next["spec"]["providerID"] = "berth://other";
  causes = t.validate(next, &old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.providerID");
  EXPECT_EQ(causes[0].reason, "FieldValueForbidden");
}

// --- configmaps ---

TEST(ConfigMapTypeTest, KeysAndSize) {
  ResourceType t = configMapType();
  json cm = {{"metadata", meta("cfg", "default")}, {"data", {{"good.key", "1"}, {"bad key", "2"}}}};
  auto causes = t.validate(cm, nullptr);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "data[bad key]");
  EXPECT_EQ(causes[0].message,
            "Invalid value: \"bad key\": a valid config key must consist of alphanumeric "
            "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', "
            "regex used for validation is '[-._a-zA-Z0-9]+')");
  json big = {{"metadata", meta("cfg", "default")},
              {"data", {{"a", std::string(1024 * 1024, 'x')}, {"b", "y"}}}};
  causes = t.validate(big, nullptr);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].reason, "FieldValueTooLong");
}

TEST(ConfigMapTypeTest, ImmutableForbidsDataChanges) {
  ResourceType t = configMapType();
  json old = {{"metadata", meta("cfg", "default")}, {"data", {{"a", "1"}}}, {"immutable", true}};
  json next = old;
  next["data"]["a"] = "2";
  auto causes = t.validate(next, &old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "data");
  EXPECT_EQ(causes[0].message, "Forbidden: field is immutable when `immutable` is set");
  json unset = old;
  unset["immutable"] = false;
  causes = t.validate(unset, &old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "immutable");
  json labelled = old;
  labelled["metadata"]["labels"] = {{"a", "b"}};
  EXPECT_TRUE(t.validate(labelled, &old).empty());
}

TEST(ConfigMapTypeTest, DataColumnCountsBothMaps) {
  ResourceType t = configMapType(fixedNow());
  json cm = {{"metadata", meta("cfg", "default")},
             {"data", {{"a", "1"}, {"b", "2"}}},
             {"binaryData", {{"c", "AAE="}}}};
  EXPECT_EQ(t.row(cm), (std::vector<json>{"cfg", 3, "2d4h"}));
  EXPECT_EQ(t.shortNames, std::vector<std::string>{"cm"});
}

// --- secrets ---

TEST(SecretTypeTest, StringDataMergedIntoDataAndTypeDefaulted) {
  ResourceType t = secretType();
  json s = {{"metadata", meta("creds", "default")},
            {"data", {{"user", "YWRtaW4="}, {"password", "b2xk"}}},
            {"stringData", {{"password", "s3cret"}}}};
  t.defaults(s);
  EXPECT_FALSE(s.contains("stringData"));
  EXPECT_EQ(s["data"]["user"], "YWRtaW4=");
  EXPECT_EQ(s["data"]["password"], "czNjcmV0");
  EXPECT_EQ(s["type"], "Opaque");
  EXPECT_TRUE(t.validate(s, nullptr).empty());
}

TEST(SecretTypeTest, Base64AndTypeRules) {
  ResourceType t = secretType();
  json s = {
      {"metadata", meta("creds", "default")}, {"type", "Opaque"}, {"data", {{"k", "not base64!"}}}};
  auto causes = t.validate(s, nullptr);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "data[k]");
  EXPECT_EQ(causes[0].message,
            "Invalid value: \"<secret contents redacted>\": illegal base64 data at input byte 3");
  json tls = {{"metadata", meta("cert", "default")},
              {"type", "kubernetes.io/tls"},
              {"data", {{"tls.crt", "AAAA"}}}};
  causes = t.validate(tls, nullptr);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "data[tls.key]");
  EXPECT_EQ(causes[0].reason, "FieldValueRequired");
}

TEST(SecretTypeTest, TypeAndImmutableDataCannotChange) {
  ResourceType t = secretType();
  json old = {{"metadata", meta("creds", "default")},
              {"type", "Opaque"},
              {"data", {{"k", "AAAA"}}},
              {"immutable", true}};
  json next = old;
  next["type"] = "kubernetes.io/basic-auth";
  next["data"] = {{"username", "AAAA"}};
  auto causes = t.validate(next, &old);
  const Cause* type = findCause(causes, "type");
  ASSERT_TRUE(type);
  EXPECT_EQ(type->message, "Invalid value: \"kubernetes.io/basic-auth\": field is immutable");
  const Cause* data = findCause(causes, "data");
  ASSERT_TRUE(data);
  EXPECT_EQ(data->message, "Forbidden: field is immutable when `immutable` is set");
}

TEST(SecretTypeTest, TableRow) {
  ResourceType t = secretType(fixedNow());
  std::vector<std::string> names;
  for (const auto& c : t.columns) {
    names.push_back(c.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Type", "Data", "Age"}));
  json s = {{"metadata", meta("creds", "default")},
            {"type", "Opaque"},
            {"data", {{"a", "AA=="}, {"b", "AA=="}}}};
  EXPECT_EQ(t.row(s), (std::vector<json>{"creds", "Opaque", 2, "2d4h"}));
  EXPECT_EQ(t.fields(s).at("type"), "Opaque");
}

// --- events ---

json event() {
  return {{"metadata", meta("web.17a", "default")},
          {"involvedObject",
           {{"kind", "Pod"},
            {"name", "web"},
            {"namespace", "default"},
            {"uid", "u1"},
            {"fieldPath", "spec.containers{main}"}}},
          {"reason", "Pulled"},
          {"message", "Successfully pulled image \"nginx\"\n"},
          {"type", "Normal"},
          {"source", {{"component", "kubelet"}, {"host", "node-1"}}},
          {"firstTimestamp", "2024-05-03T11:50:00Z"},
          {"lastTimestamp", "2024-05-03T11:58:00Z"},
          {"count", 3}};
}

TEST(EventTypeTest, RowAsKubectlPrintsIt) {
  ResourceType t = eventType(fixedNow());
  ASSERT_EQ(t.columns.size(), 10u);
  EXPECT_EQ(t.columns[0].name, "Last Seen");
  EXPECT_EQ(t.columns[9].format, "name");
  EXPECT_EQ(t.row(event()),
            (std::vector<json>{"2m", "Normal", "Pulled", "pod/web", "spec.containers{main}",
                               "kubelet, node-1", "Successfully pulled image \"nginx\"", "10m", 3,
                               "web.17a"}));
  json fresh = event();
  fresh.erase("lastTimestamp");
  fresh.erase("count");
  auto row = t.row(fresh);
  EXPECT_EQ(row[0], "10m");
  EXPECT_EQ(row[8], 1);
}

TEST(EventTypeTest, ValidationAndFields) {
  ResourceType t = eventType();
  EXPECT_TRUE(t.validate(event(), nullptr).empty());
  json bad = event();
  bad.erase("reason");
  bad.erase("involvedObject");
  auto causes = t.validate(bad, nullptr);
  ASSERT_TRUE(findCause(causes, "involvedObject"));
  ASSERT_TRUE(findCause(causes, "reason"));
  EXPECT_EQ(findCause(causes, "reason")->message, "Required value");
  json other = event();
  other["involvedObject"]["namespace"] = "kube-system";
  causes = t.validate(other, nullptr);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "involvedObject.namespace");
  EXPECT_EQ(causes[0].message, "Invalid value: \"kube-system\": does not match event.namespace");
  auto fields = t.fields(event());
  EXPECT_EQ(fields.at("involvedObject.name"), "web");
  EXPECT_EQ(fields.at("involvedObject.uid"), "u1");
  EXPECT_EQ(fields.at("source"), "kubelet");
  EXPECT_EQ(fields.at("reason"), "Pulled");
}

// --- leases ---

TEST(LeaseTypeTest, ValidationAndRow) {
  ResourceType t = leaseType(fixedNow());
  EXPECT_EQ(t.group, "coordination.k8s.io");
  json lease = {{"metadata", meta("node-1", "kube-node-lease")},
                {"spec",
                 {{"holderIdentity", "node-1"},
                  {"leaseDurationSeconds", 40},
                  {"renewTime", "2024-05-03T11:59:59.123456Z"}}}};
  EXPECT_TRUE(t.validate(lease, nullptr).empty());
  EXPECT_EQ(t.row(lease), (std::vector<json>{"node-1", "node-1", "2d4h"}));
  lease["spec"]["leaseDurationSeconds"] = 0;
  lease["spec"]["renewTime"] = "soon";
  auto causes = t.validate(lease, nullptr);
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[0].field, "spec.leaseDurationSeconds");
  EXPECT_EQ(causes[0].message, "Invalid value: 0: must be greater than 0");
  EXPECT_EQ(causes[1].field, "spec.renewTime");
}

TEST(BuiltinTypesTest, UnknownFieldsBySchema) {
  json cm = {{"metadata", meta("cfg", "default")}, {"data", {{"a", "1"}}}, {"dataa", 1}};
  EXPECT_EQ(configMapType().unknownFields(cm), std::vector<std::string>{"dataa"});
  json n = node(true, false);
  n["spec"]["taints"] = {{{"key", "a"}, {"effect", "NoSchedule"}, {"colour", "red"}}};
  n["metadata"]["managedFields"] = json::array();
  EXPECT_EQ(nodeType().unknownFields(n), std::vector<std::string>{"spec.taints[0].colour"});
}

TEST(BuiltinTypesTest, MetadataChecksApplyToEveryKind) {
  json cm = {{"metadata", {{"name", "cfg"}, {"labels", {{"bad key", "v"}}}}}};
  auto causes = configMapType().validate(cm, nullptr);
  ASSERT_TRUE(findCause(causes, "metadata.namespace"));
  ASSERT_TRUE(findCause(causes, "metadata.labels"));
}

TEST(BuiltinTypesTest, RegistersInDiscoveryOrder) {
  ResourceRegistry registry;
  registerBuiltinTypes(registry);
  std::vector<std::string> names;
  for (const auto& t : registry.all()) {
    names.push_back(t->resource);
  }
  // Later groups (autoscaling, metrics.k8s.io) follow these.
  names.resize(std::min<size_t>(names.size(), 9));
  EXPECT_EQ(names, (std::vector<std::string>{"pods", "namespaces", "nodes", "events", "configmaps",
                                             "secrets", "leases", "deployments", "replicasets"}));
  auto groups = registry.groups();
  groups.resize(std::min<size_t>(groups.size(), 3));
  EXPECT_EQ(groups, (std::vector<std::string>{"", "coordination.k8s.io", "apps"}));
  EXPECT_EQ(registry.versions("apps"), std::vector<std::string>{"v1"});
  EXPECT_EQ(registry.versions("coordination.k8s.io"), std::vector<std::string>{"v1"});
  ASSERT_TRUE(registry.find("", "v1", "pods"));
  EXPECT_FALSE(registry.find("", "v1", "leases"));
  EXPECT_TRUE(registry.find("coordination.k8s.io", "v1", "leases"));
}

}  // namespace
}  // namespace berth::apiserver
