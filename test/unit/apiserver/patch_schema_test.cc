#include "apiserver/patch_schema.h"

#include <gtest/gtest.h>

namespace berth::apiserver {
namespace {

const PatchSchema::Field* fieldAt(const PatchSchema::Type* type,
                                  std::initializer_list<std::string_view> path) {
  const PatchSchema::Field* field = nullptr;
  for (auto name : path) {
    if (type == nullptr) {
      return nullptr;
    }
    field = type->field(name);
    if (field == nullptr) {
      return nullptr;
    }
    type = field->type;
  }
  return field;
}

TEST(PatchSchemaTest, BuiltinDescribesPodTemplatesOnce) {
  const PatchSchema& schema = builtinPatchSchema();
  for (auto [apiVersion, kind] :
       std::initializer_list<std::pair<const char*, const char*>>{{"apps/v1", "Deployment"},
                                                                  {"apps/v1", "ReplicaSet"},
                                                                  {"apps/v1", "DaemonSet"},
                                                                  {"apps/v1", "StatefulSet"},
                                                                  {"batch/v1", "Job"}}) {
    SCOPED_TRACE(kind);
    const auto* containers =
        fieldAt(schema.typeForKind(apiVersion, kind), {"spec", "template", "spec", "containers"});
    ASSERT_NE(containers, nullptr);
    EXPECT_TRUE(containers->mergeList);
    EXPECT_EQ(containers->mergeKey, "name");
    EXPECT_EQ(containers->type, schema.typeNamed("Container"));
  }
  const auto* cronEnv =
      fieldAt(schema.typeForKind("batch/v1", "CronJob"),
              {"spec", "jobTemplate", "spec", "template", "spec", "initContainers", "env"});
  ASSERT_NE(cronEnv, nullptr);
  EXPECT_EQ(cronEnv->mergeKey, "name");
}

TEST(PatchSchemaTest, BuiltinMergeKeys) {
  const PatchSchema& schema = builtinPatchSchema();
  struct Case {
    const char* apiVersion;
    const char* kind;
    std::initializer_list<std::string_view> path;
    const char* mergeKey;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"v1", "Pod", {"metadata", "ownerReferences"}, "uid"},
           {"v1", "Pod", {"spec", "volumes"}, "name"},
           {"v1", "Pod", {"spec", "imagePullSecrets"}, "name"},
           {"v1", "Pod", {"spec", "hostAliases"}, "ip"},
           {"v1", "Pod", {"spec", "topologySpreadConstraints"}, "topologyKey"},
           {"v1", "Pod", {"spec", "ephemeralContainers", "volumeDevices"}, "devicePath"},
           {"v1", "Pod", {"spec", "containers", "ports"}, "containerPort"},
           {"v1", "Pod", {"spec", "containers", "volumeMounts"}, "mountPath"},
           {"v1", "Pod", {"status", "conditions"}, "type"},
           {"v1", "Node", {"status", "conditions"}, "type"},
           {"v1", "Node", {"status", "addresses"}, "type"},
           {"v1", "Service", {"spec", "ports"}, "port"},
           {"apps/v1", "Deployment", {"status", "conditions"}, "type"},
           {"apps/v1", "ReplicaSet", {"status", "conditions"}, "type"},
           {"autoscaling/v2", "HorizontalPodAutoscaler", {"status", "conditions"}, "type"},
           {"v1", "Namespace", {"status", "conditions"}, "type"},
       }) {
    SCOPED_TRACE(std::string(c.kind) + " " + std::string(*(c.path.end() - 1)));
    const auto* field = fieldAt(schema.typeForKind(c.apiVersion, c.kind), c.path);
    ASSERT_NE(field, nullptr);
    EXPECT_TRUE(field->mergeList);
    EXPECT_EQ(field->mergeKey, c.mergeKey);
  }
  const auto* finalizers =
      fieldAt(schema.typeForKind("v1", "ConfigMap"), {"metadata", "finalizers"});
  ASSERT_NE(finalizers, nullptr);
  EXPECT_TRUE(finalizers->mergeList);
  EXPECT_EQ(finalizers->mergeKey, "");
  for (auto kind : {"Secret", "Event"}) {
    EXPECT_NE(schema.typeForKind("v1", kind), nullptr) << kind;
  }
  EXPECT_NE(schema.typeForKind("coordination/v1", "Lease"), nullptr);
  // No strategy on spec.taints: absent from the table, so replaced.
  EXPECT_EQ(fieldAt(schema.typeForKind("v1", "Node"), {"spec", "taints"}), nullptr);
  EXPECT_TRUE(fieldAt(schema.typeForKind("policy/v1", "PodDisruptionBudget"), {"spec", "selector"})
                  ->replace);
  EXPECT_EQ(schema.typeForKind("example.com/v1", "Widget"), nullptr);
  EXPECT_EQ(schema.typeForKind("apps/v1", "Pod"), nullptr);
}

TEST(PatchSchemaTest, BuildRejectsBadTables) {
  constexpr PatchFieldDef unknownChild[] = {{"A", "b", "Missing", "", ""}};
  auto a = PatchSchema::build(unknownChild, {});
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().message(), "patch schema: 'A.b': unknown type 'Missing'");

  constexpr PatchFieldDef badStrategy[] = {{"A", "b", "", "mrege", ""}};
  EXPECT_FALSE(PatchSchema::build(badStrategy, {}).has_value());

  constexpr PatchFieldDef keyWithoutMerge[] = {{"A", "b", "", "", "name"}};
  EXPECT_FALSE(PatchSchema::build(keyWithoutMerge, {}).has_value());

  constexpr PatchFieldDef ok[] = {{"A", "b", "", "merge", "name"}};
  constexpr PatchKindDef unknownType[] = {{"v1", "K", "Nope"}};
  EXPECT_FALSE(PatchSchema::build(ok, unknownType).has_value());
  EXPECT_TRUE(PatchSchema::build(ok, {}).has_value());
}

}  // namespace
}  // namespace berth::apiserver
