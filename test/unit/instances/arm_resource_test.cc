#include "instances/arm_resource.h"

#include <gtest/gtest.h>

#include "instances/group_update.h"
#include "sample_group.h"

namespace berth::instances {
namespace {

using nlohmann::json;
using testing::sampleGroup;

json storedObject(const ContainerGroup& group) {
  json object = internalObject(withoutSecrets(group), kDesiredRunning, "", "2026-01-01T00:00:00Z");
  object["metadata"]["generation"] = 1;
  return object;
}

TEST(ArmResourceTest, InternalObjectHoldsNoSecretsAndKeepsTheArmEnvelope) {
  ContainerGroup group = sampleGroup();
  json object = storedObject(group);
  EXPECT_EQ(object["apiVersion"], "instances.berth.io/v1");
  EXPECT_EQ(object["kind"], "ContainerGroup");
  EXPECT_EQ(object["metadata"]["name"], "web-group");
  EXPECT_EQ(object["metadata"]["namespace"], podNamespace(group.subscriptionId, "Demo-RG"));
  EXPECT_EQ(object["metadata"]["annotations"][kResourceGroupAnnotation], "Demo-RG");
  EXPECT_EQ(object["metadata"]["labels"][kGroupLabel], "web-group");
  EXPECT_EQ(object["spec"]["desiredState"], "Running");
  EXPECT_FALSE(object["spec"].contains("restartedAt"));
  // Tags live in an annotation, not in the spec (a tags-only update bumps no generation).
  EXPECT_EQ(object["spec"]["group"]["tags"], json::object());
  EXPECT_EQ(json::parse(object["metadata"]["annotations"][kTagsAnnotation].get<std::string>()),
            (json{{"team", "a"}}));
  std::string dumped = object.dump();
  EXPECT_EQ(dumped.find("s3cret"), std::string::npos);
  EXPECT_EQ(dumped.find("secureValue"), std::string::npos);
  EXPECT_EQ(dumped.find("\"password\""), std::string::npos);
  EXPECT_EQ(dumped.find("Y2VydA=="), std::string::npos);
}

TEST(ArmResourceTest, StoredGroupRoundTripsAndAnIdenticalPutIsUnchanged) {
  ContainerGroup group = sampleGroup();
  auto stored = storedGroup(storedObject(group));
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->tags, group.tags);
  EXPECT_EQ(stored->resourceGroup, "Demo-RG");
  EXPECT_EQ(checkUpdate(*stored, withoutSecrets(group)), UpdateAction::kUnchanged);
  ContainerGroup retagged = group;
  retagged.tags["team"] = "b";
  EXPECT_EQ(checkUpdate(*stored, withoutSecrets(retagged)), UpdateAction::kTagsOnly);
  ContainerGroup bigger = group;
  bigger.properties.containers[0].resources.requests.cpu = 2;
  EXPECT_FALSE(checkUpdate(*stored, withoutSecrets(bigger)));

  json broken = storedObject(group);
  broken["spec"]["group"]["properties"] = "nope";
  auto unreadable = storedGroup(broken);
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().httpStatus, 500);
}

TEST(ArmResourceTest, ArmJsonTakesTheStatusOfTheController) {
  json object = storedObject(sampleGroup());
  json fresh = armGroupJson(object);
  EXPECT_EQ(fresh["properties"]["provisioningState"], "Pending");
  EXPECT_EQ(fresh["tags"], (json{{"team", "a"}}));
  EXPECT_EQ(fresh["name"], "web-group");
  EXPECT_FALSE(fresh["properties"].contains("instanceView"));

  object["status"] = {{"provisioningState", "Succeeded"},
                      {"instanceView", {{"state", "Running"}, {"events", json::array()}}},
                      {"containers", {{"web", {{"restartCount", 2}}}}},
                      {"ipAddress", "10.0.0.7"}};
  json running = armGroupJson(object);
  EXPECT_EQ(running["properties"]["provisioningState"], "Succeeded");
  EXPECT_EQ(running["properties"]["instanceView"]["state"], "Running");
  EXPECT_EQ(running["properties"]["containers"][0]["name"], "web");
  EXPECT_EQ(running["properties"]["containers"][0]["properties"]["instanceView"]["restartCount"],
            2);
  EXPECT_FALSE(running["properties"]["containers"][1]["properties"].contains("instanceView"));
  EXPECT_EQ(running["properties"]["ipAddress"]["ip"], "10.0.0.7");
}

TEST(ArmResourceTest, NotFoundIsArmsMessage) {
  ArmError error = groupNotFound("rg1", "web");
  EXPECT_EQ(error.httpStatus, 404);
  EXPECT_EQ(error.code, "ResourceNotFound");
  EXPECT_EQ(error.message,
            "The Resource 'Microsoft.ContainerInstance/containerGroups/web' under resource group "
            "'rg1' was not found. For more details please go to "
            "https://aka.ms/ARMResourceNotFoundFix");
}

TEST(ArmResourceTest, OperationIdsDecodeToTheirGroup) {
  OperationRef ref{{"sub/1", "RG+x", "web"}, 7};
  std::string id = operationId(ref);
  EXPECT_EQ(id.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(parseOperationId(id), ref);
  EXPECT_FALSE(parseOperationId(""));
  EXPECT_FALSE(parseOperationId("not base64!"));
  EXPECT_FALSE(parseOperationId(operationId({{"a", "b", "c"}, 1}).substr(0, 6)));
}

TEST(ArmResourceTest, OperationStatusFollowsTheProvisioningState) {
  json object = storedObject(sampleGroup());
  OperationRef ref{{"s", "rg", "web-group"}, 1};
  const std::string now = "2026-01-01T00:01:00Z";
  json pending = operationStatus("/op", ref, &object, now);
  EXPECT_EQ(pending["status"], "InProgress");
  EXPECT_EQ(pending["id"], "/op");
  EXPECT_EQ(pending["name"], operationId(ref));
  EXPECT_EQ(pending["startTime"], "2026-01-01T00:00:00Z");
  EXPECT_FALSE(pending.contains("endTime"));

  // Succeeded of an older generation is not this operation's end.
  object["status"] = {{"provisioningState", "Succeeded"}, {"observedGeneration", 0}};
  EXPECT_EQ(operationStatus("/op", ref, &object, now)["status"], "InProgress");
  object["status"]["observedGeneration"] = 1;
  json done = operationStatus("/op", ref, &object, now);
  EXPECT_EQ(done["status"], "Succeeded");
  EXPECT_EQ(done["endTime"], now);
  EXPECT_FALSE(done.contains("error"));

  object["status"]["provisioningState"] = "Failed";
  json failed = operationStatus("/op", ref, &object, now);
  EXPECT_EQ(failed["status"], "Failed");
  EXPECT_EQ(failed["error"]["code"], "ResourceDeploymentFailure");

  EXPECT_EQ(operationStatus("/op", ref, nullptr, now)["status"], "Canceled");
}

TEST(ArmResourceTest, PagesFollowTheSkipToken) {
  std::vector<json> groups;
  for (const char* name : {"c", "a", "e", "b", "d"}) {
    groups.push_back({{"id", std::string("/subscriptions/s/x/") + name}});
  }
  auto first = pageOf(groups, std::nullopt, 2);
  ASSERT_EQ(first.value.size(), 2u);
  EXPECT_EQ(first.value[0]["id"], "/subscriptions/s/x/a");
  EXPECT_EQ(first.value[1]["id"], "/subscriptions/s/x/b");
  ASSERT_TRUE(first.skipToken);
  auto after = parseSkipToken(*first.skipToken);
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, "/subscriptions/s/x/b");
  auto second = pageOf(groups, after, 2);
  ASSERT_EQ(second.value.size(), 2u);
  EXPECT_EQ(second.value[0]["id"], "/subscriptions/s/x/c");
  auto third = pageOf(groups, parseSkipToken(*second.skipToken), 2);
  ASSERT_EQ(third.value.size(), 1u);
  EXPECT_EQ(third.value[0]["id"], "/subscriptions/s/x/e");
  EXPECT_FALSE(third.skipToken);
  EXPECT_FALSE(pageOf(groups, std::nullopt, 5).skipToken);
  EXPECT_FALSE(parseSkipToken("a=b"));
}

TEST(ArmResourceTest, LocationBodies) {
  json usages = usagesBody({3.5, 2}, {});
  ASSERT_EQ(usages["value"].size(), 2u);
  EXPECT_EQ(usages["value"][0]["name"]["value"], "ContainerGroups");
  EXPECT_EQ(usages["value"][0]["currentValue"], 2);
  EXPECT_EQ(usages["value"][0]["limit"], 100);
  EXPECT_EQ(usages["value"][1]["name"]["value"], "StandardCores");
  EXPECT_EQ(usages["value"][1]["currentValue"], 4);  // cores round up
  EXPECT_EQ(usages["value"][1]["unit"], "Count");
  json caps = capabilitiesBody("local", {});
  ASSERT_EQ(caps["value"].size(), 2u);
  EXPECT_EQ(caps["value"][0]["osType"], "Linux");
  EXPECT_EQ(caps["value"][0]["location"], "local");
  EXPECT_EQ(caps["value"][0]["capabilities"]["maxCpu"], 4.0);
  EXPECT_EQ(caps["value"][0]["capabilities"]["maxMemoryInGB"], 16.0);
  EXPECT_EQ(cachedImagesBody({"busybox:1.36"})["value"][0]["image"], "busybox:1.36");
}

}  // namespace
}  // namespace berth::instances
