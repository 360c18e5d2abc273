#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime_fixture.h"

namespace berth::runtime::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr uint64_t kCapSysAdmin = uint64_t{1} << 21;

// The value of a "Key:\tvalue" line of /proc/self/status as printed into the log.
std::string statusField(const std::vector<std::string>& lines, const std::string& key) {
  for (const auto& l : lines) {
    if (l.starts_with(key + ":")) {
      auto v = l.substr(key.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "<missing>";
}

const char* kReport =
    "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; "
    "echo timer_list=$(wc -c < /proc/timer_list); "
    "echo firmware=$(ls /sys/firmware | wc -l); "
    "echo procsys=$(grep ' /proc/sys ' /proc/mounts | grep -c ' ro,'); "
    "touch /x 2>/dev/null; echo touch=$?; "
    "echo uid=$(id -u) gid=$(id -g); "
    "echo hostname=$(hostname)";

TEST_F(RuntimeTest, DefaultSecurityProfile) {
  auto spec = makeSpec({"sh", "-c", kReport});
  spec.readOnlyRootfs = true;
  auto started = start(spec);
  ASSERT_TRUE(started) << started.error().message();
  auto s = waitExited(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited) << s.message;
  auto lines = logMessages(spec);
  uint64_t capEff = std::stoull(statusField(lines, "CapEff"), nullptr, 16);
  EXPECT_EQ(capEff & kCapSysAdmin, 0u);
  EXPECT_NE(capEff, 0u);  // root keeps the default set (CHOWN, KILL, ...)
  EXPECT_EQ(statusField(lines, "NoNewPrivs"), "1");
  EXPECT_EQ(statusField(lines, "Seccomp"), "2");
  // Masked paths (this kernel has no /proc/kcore; /proc/timer_list stands in for it).
  EXPECT_THAT(lines, Contains("timer_list=0"));
  EXPECT_THAT(lines, Contains("firmware=0"));
  EXPECT_THAT(lines, Contains("procsys=1"));
  EXPECT_THAT(lines, Contains("touch=1"));
  EXPECT_THAT(lines, Contains("uid=0 gid=0"));
  EXPECT_THAT(lines, Contains("hostname=testhost"));
}

TEST_F(RuntimeTest, SeccompBlocksNamespaceCreationAndMounts) {
  // Even with CAP_SYS_ADMIN dropped from the profile's view, the syscalls themselves fail:
  // unshare(CLONE_NEWNS) and mount are not on the allow-list.
  auto spec = makeSpec({"sh", "-c",
                        "unshare -m true 2>&1; echo unshare=$?; "
                        "mount -t tmpfs none /tmp 2>&1; echo mount=$?; "
                        "sh -c 'echo child ok'"});
  auto started = start(spec);
  ASSERT_TRUE(started) << started.error().message();
  waitExited(spec.dir);
  auto lines = logMessages(spec);
  EXPECT_THAT(lines, Contains("unshare=1")) << readLog(spec);
  EXPECT_THAT(lines, Contains("mount=1"));
  EXPECT_THAT(lines, Contains("child ok"));  // fork/clone without namespace flags works
}

TEST_F(RuntimeTest, RunAsUser) {
  auto spec = makeSpec({"sh", "-c", kReport});
  spec.uid = 65534;
  spec.gid = 65534;
  spec.additionalGids = {1234};
  ASSERT_TRUE(start(spec));
  waitExited(spec.dir);
  auto lines = logMessages(spec);
  EXPECT_THAT(lines, Contains("uid=65534 gid=65534"));
  EXPECT_EQ(statusField(lines, "CapEff"), "0000000000000000");
  EXPECT_THAT(lines, Contains("touch=1"));  // / is owned by root
}

TEST_F(RuntimeTest, CapabilitiesAddAndDrop) {
  auto spec = makeSpec({"sh", "-c", kReport});
  spec.capDrop = {"ALL"};
  spec.capAdd = {"NET_ADMIN"};
  ASSERT_TRUE(start(spec));
  waitExited(spec.dir);
  auto lines = logMessages(spec);
  EXPECT_EQ(statusField(lines, "CapEff"), "0000000000001000");  // bit 12 only
}

TEST_F(RuntimeTest, PrivilegedContainer) {
  auto spec = makeSpec({"sh", "-c", kReport});
  spec.privileged = true;
  spec.noNewPrivileges = false;
  ASSERT_TRUE(start(spec));
  waitExited(spec.dir);
  auto lines = logMessages(spec);
  uint64_t capEff = std::stoull(statusField(lines, "CapEff"), nullptr, 16);
  EXPECT_NE(capEff & kCapSysAdmin, 0u);
  EXPECT_EQ(statusField(lines, "Seccomp"), "0");
  EXPECT_EQ(statusField(lines, "NoNewPrivs"), "0");
  EXPECT_THAT(lines, Contains("touch=0"));
}

}  // namespace
}  // namespace berth::runtime::testing
