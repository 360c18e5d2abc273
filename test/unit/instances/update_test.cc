#include <gtest/gtest.h>

#include "instances/group_update.h"
#include "sample_group.h"

namespace berth::instances {
namespace {

using testing::sampleGroup;

void expectRefused(const ContainerGroup& desired, const std::string& changed) {
  auto r = checkUpdate(sampleGroup(), desired);
  ASSERT_FALSE(r.has_value()) << changed;
  EXPECT_EQ(r.error().httpStatus, 400);
  EXPECT_EQ(r.error().code, "InvalidContainerGroupUpdate");
  EXPECT_EQ(r.error().message,
            "The updates on container group 'web-group' are invalid. If you are going to update "
            "the os type, restart policy, network profile, CPU, memory or GPU resources for a "
            "container group, you must delete it first and then create a new one. Changed: '" +
                changed + "'.");
}

TEST(UpdateTest, SameSpecIsUnchanged) {
  EXPECT_EQ(checkUpdate(sampleGroup(), sampleGroup()), UpdateAction::kUnchanged);
}

TEST(UpdateTest, ReadOnlyFieldsDoNotCount) {
  ContainerGroup existing = sampleGroup();
  existing.properties.provisioningState = "Succeeded";
  existing.properties.instanceView = GroupInstanceView{"Running", {}};
  existing.properties.ipAddress->ip = "10.0.0.1";
  existing.properties.ipAddress->fqdn = "x";
  existing.properties.containers[0].instanceView = ContainerInstanceView{};
  EXPECT_EQ(checkUpdate(existing, sampleGroup()), UpdateAction::kUnchanged);
}

TEST(UpdateTest, TagsOnly) {
  ContainerGroup desired = sampleGroup();
  desired.tags["owner"] = "b";
  EXPECT_EQ(checkUpdate(sampleGroup(), desired), UpdateAction::kTagsOnly);
}

TEST(UpdateTest, OtherChangesRestart) {
  ContainerGroup image = sampleGroup();
  image.properties.containers[0].image = "nginx:1.26";
  EXPECT_EQ(checkUpdate(sampleGroup(), image), UpdateAction::kRestart);
  ContainerGroup env = sampleGroup();
  env.properties.containers[0].environmentVariables[1].secureValue = "rotated";
  EXPECT_EQ(checkUpdate(sampleGroup(), env), UpdateAction::kRestart);
  ContainerGroup label = sampleGroup();
  label.properties.ipAddress->dnsNameLabel = "other-label";
  EXPECT_EQ(checkUpdate(sampleGroup(), label), UpdateAction::kRestart);
  ContainerGroup probe = sampleGroup();
  probe.properties.containers[0].livenessProbe.reset();
  EXPECT_EQ(checkUpdate(sampleGroup(), probe), UpdateAction::kRestart);
}

TEST(UpdateTest, RefusedChanges) {
  ContainerGroup g = sampleGroup();
  g.properties.osType = "Windows";
  expectRefused(g, "properties.osType");
  g = sampleGroup();
  g.properties.restartPolicy = "Always";
  expectRefused(g, "properties.restartPolicy");
  g = sampleGroup();
  g.properties.containers[1].resources.requests.cpu = 1;
  expectRefused(g, "properties.containers['sidecar'].properties.resources");
  g = sampleGroup();
  g.properties.containers[0].resources.limits->memoryInGB = 1.5;
  expectRefused(g, "properties.containers['web'].properties.resources");
  g = sampleGroup();
  g.properties.containers[1].ports[0].port = 9001;
  expectRefused(g, "properties.containers['sidecar'].properties.ports");
  g = sampleGroup();
  g.properties.ipAddress->ports[0].protocol = "UDP";
  expectRefused(g, "properties.ipAddress.ports");
  g = sampleGroup();
  g.properties.ipAddress->type = "Private";
  expectRefused(g, "properties.ipAddress.type");
  g = sampleGroup();
  g.properties.ipAddress.reset();
  expectRefused(g, "properties.ipAddress");
  g = sampleGroup();
  g.properties.containers.pop_back();
  expectRefused(g, "properties.containers['sidecar']");
}

TEST(UpdateTest, PortProtocolDefaultIsTcp) {
  ContainerGroup g = sampleGroup();
  g.properties.containers[0].ports[0].protocol = "";
  EXPECT_EQ(checkUpdate(sampleGroup(), g), UpdateAction::kRestart);  // spec differs, ports same
}

TEST(UpdateTest, LocationChangeIsInvalidResourceLocation) {
  ContainerGroup g = sampleGroup();
  g.location = "westus";
  auto r = checkUpdate(sampleGroup(), g);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().httpStatus, 409);
  EXPECT_EQ(r.error().code, "InvalidResourceLocation");
  EXPECT_EQ(r.error().message,
            "The resource 'web-group' already exists in location 'local' in resource group "
            "'Demo-RG'. A resource with the same name cannot be created in location 'westus'. "
            "Please select a new resource name.");
}

}  // namespace
}  // namespace berth::instances
