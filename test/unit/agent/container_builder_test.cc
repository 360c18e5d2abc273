#include "agent/container_builder.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/files.h"
#include "base/random.h"

namespace berth::agent {
namespace {

class ContainerBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pod_.metadata.name = "web";
    pod_.metadata.namespace_ = "default";
    pod_.metadata.uid = "uid-1";
    container_.name = "app";
    container_.image = "reg/app:1";
    image_.entrypoint = {"/bin/httpd"};
    image_.cmd = {"-f", "-p", "80"};
    image_.env = {"PATH=/bin", "MODE=image"};
    image_.workingDir = "/www";
    in_.pod = &pod_;
    in_.container = &container_;
    in_.imageConfig = &image_;
  }

  bool hasEnv(const runtime::ContainerSpec& spec, const std::string& kv) {
    return std::find(spec.env.begin(), spec.env.end(), kv) != spec.env.end();
  }

  api::Pod pod_;
  api::Container container_;
  image::ImageConfig image_;
  BuildInputs in_;
};

TEST_F(ContainerBuilderTest, ImageEntrypointAndCmdWhenPodSaysNothing) {
  auto spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->args, (std::vector<std::string>{"/bin/httpd", "-f", "-p", "80"}));
  EXPECT_EQ(spec->cwd, "/www");
  EXPECT_EQ(spec->hostname, "web");
  EXPECT_TRUE(hasEnv(*spec, "PATH=/bin"));
  EXPECT_TRUE(hasEnv(*spec, "HOSTNAME=web"));
}

TEST_F(ContainerBuilderTest, ArgsReplaceCmdOnly) {
  container_.args = {"-p", "8080"};
  auto spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->args, (std::vector<std::string>{"/bin/httpd", "-p", "8080"}));
}

TEST_F(ContainerBuilderTest, CommandReplacesEntrypointAndDropsImageCmd) {
  container_.command = {"/bin/sh", "-c"};
  auto spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->args, (std::vector<std::string>{"/bin/sh", "-c"}));
  container_.args = {"echo $(MODE)"};
  spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->args.back(), "echo image");
}

TEST_F(ContainerBuilderTest, ContainerEnvOverridesImageEnvAndExpands) {
  container_.env = {{"MODE", "pod", {}}, {"GREETING", "hi $(MODE) $$(MODE)", {}}};
  auto spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  EXPECT_TRUE(hasEnv(*spec, "MODE=pod"));
  EXPECT_TRUE(hasEnv(*spec, "GREETING=hi pod $(MODE)"));
  EXPECT_FALSE(hasEnv(*spec, "MODE=image"));
}

TEST_F(ContainerBuilderTest, FieldRefEnv) {
  api::EnvVar e;
  e.name = "POD";
  e.valueFrom = api::EnvVarSource{};
  e.valueFrom->fieldRef = api::ObjectFieldSelector{.fieldPath = "metadata.name"};
  container_.env = {e};
  auto spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  EXPECT_TRUE(hasEnv(*spec, "POD=web"));
}

TEST_F(ContainerBuilderTest, NoCommandAnywhereIsAnError) {
  image_.entrypoint.clear();
  image_.cmd.clear();
  auto spec = buildContainerSpec(in_);
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().message(), "no command specified");
}

TEST_F(ContainerBuilderTest, RunAsUserFromContainerBeatsPodAndImage) {
  image_.user = "5:6";
  pod_.spec.securityContext = api::PodSecurityContext{};
  pod_.spec.securityContext->runAsUser = 7;
  pod_.spec.securityContext->fsGroup = 2000;
  auto spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->uid, 7u);
  EXPECT_EQ(spec->gid, 6u);
  EXPECT_EQ(spec->additionalGids, (std::vector<uint32_t>{2000}));
  container_.securityContext = api::SecurityContext{};
  container_.securityContext->runAsUser = 65534;
  container_.securityContext->runAsGroup = 65534;
  spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->uid, 65534u);
  EXPECT_EQ(spec->gid, 65534u);
}

TEST_F(ContainerBuilderTest, RunAsNonRootRefusesRoot) {
  container_.securityContext = api::SecurityContext{};
  container_.securityContext->runAsNonRoot = true;
  auto spec = buildContainerSpec(in_);
  ASSERT_FALSE(spec);
  EXPECT_NE(spec.error().message().find("runAsNonRoot"), std::string::npos);
}

TEST_F(ContainerBuilderTest, UserNamesResolveAgainstTheImage) {
  auto root = std::filesystem::temp_directory_path() / ("berth-rootfs-" + randomHex(6));
  ASSERT_TRUE(files::writeAtomic(root / "etc/passwd",
                                 "root:x:0:0::/root:/bin/sh\n"
                                 "www:x:33:34::/www:/bin/sh\n"));
  ASSERT_TRUE(files::writeAtomic(root / "etc/group", "root:x:0:\nstaff:x:50:\n"));
  auto ids = resolveUser("www", root);
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::pair<uint32_t, uint32_t>{33, 34}));
  ids = resolveUser("www:staff", root);
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::pair<uint32_t, uint32_t>{33, 50}));
  ids = resolveUser("nobody", root);
  ASSERT_FALSE(ids);
  EXPECT_EQ(ids.error().message(), "unable to find user 'nobody' in the image");
  (void)files::removeAll(root);
}

TEST_F(ContainerBuilderTest, ResourcesBecomeCgroupValues) {
  container_.resources.requests = {{"cpu", "250m"}, {"memory", "32Mi"}};
  container_.resources.limits = {{"cpu", "500m"}, {"memory", "64Mi"}};
  in_.pidsLimit = 100;
  auto spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->resources.cpuShares, 256u);
  EXPECT_EQ(spec->resources.cpuQuotaMicros, 50000);
  EXPECT_EQ(spec->resources.memoryLimitBytes, 64 * 1024 * 1024);
  EXPECT_EQ(spec->resources.pidsLimit, 100);
}

TEST_F(ContainerBuilderTest, CpuLimitAloneAlsoSetsShares) {
  container_.resources.limits = {{"cpu", "2"}};
  auto spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->resources.cpuShares, 2048u);
  EXPECT_EQ(spec->resources.cpuQuotaMicros, 200000);
}

TEST_F(ContainerBuilderTest, VolumeMountsAndSecurity) {
  container_.volumeMounts = {{"data", "/data", true, ""}};
  in_.volumePaths["data"] = "/var/lib/x";
  in_.hostsFile = "/p/etc/hosts";
  container_.securityContext = api::SecurityContext{};
  container_.securityContext->readOnlyRootFilesystem = true;
  container_.securityContext->capabilities = api::Capabilities{{"NET_ADMIN"}, {"ALL"}};
  auto spec = buildContainerSpec(in_);
  ASSERT_TRUE(spec);
  ASSERT_EQ(spec->mounts.size(), 2u);
  EXPECT_EQ(spec->mounts[0].destination, "/etc/hosts");
  EXPECT_EQ(spec->mounts[1].destination, "/data");
  EXPECT_EQ(spec->mounts[1].source, "/var/lib/x");
  EXPECT_EQ(spec->mounts[1].options, (std::vector<std::string>{"rbind", "ro"}));
  EXPECT_TRUE(spec->readOnlyRootfs);
  EXPECT_TRUE(spec->noNewPrivileges);
  EXPECT_EQ(spec->capAdd, (std::vector<std::string>{"NET_ADMIN"}));
  EXPECT_EQ(spec->capDrop, (std::vector<std::string>{"ALL"}));
  container_.volumeMounts = {{"missing", "/m", false, ""}};
  EXPECT_FALSE(buildContainerSpec(in_));
}

}  // namespace
}  // namespace berth::agent
