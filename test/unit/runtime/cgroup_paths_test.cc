#include "agent/runtime/cgroup_paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace berth::runtime {
namespace {

// /proc/self/mountinfo of a hybrid host (Debian 12 VM, host.md §3) after fix A.
constexpr const char* kHybrid =
    "23 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "42 31 0:39 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec - cgroup cgroup rw,hugetlb\n"
    "43 23 0:35 / /mnt/again rw - cgroup cgroup rw,memory\n";

TEST(CgroupPathsTest, ParsesHybridMounts) {
  auto mounts = parseCgroupMounts(kHybrid);
  ASSERT_EQ(mounts.size(), 5u);  // the second memory mount is the same hierarchy
  EXPECT_EQ(mounts[0].mountPoint, "/sys/fs/cgroup/cpu");
  EXPECT_THAT(mounts[0].controllers, ::testing::ElementsAre("cpu"));
  EXPECT_FALSE(mounts[0].v2);
  EXPECT_THAT(mounts[2].controllers, ::testing::ElementsAre("name=systemd"));
  EXPECT_EQ(mounts[3].mountPoint, "/sys/fs/cgroup/unified");
  EXPECT_TRUE(mounts[3].v2);
  EXPECT_THAT(mounts[4].controllers, ::testing::ElementsAre("hugetlb"));
}

TEST(CgroupPathsTest, PureV2) {
  auto mounts =
      parseCgroupMounts("30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_TRUE(mounts[0].v2);
  EXPECT_EQ(mounts[0].mountPoint, "/sys/fs/cgroup");
}

TEST(CgroupPathsTest, CpuQuotaWritesOnHybridHostUseV1) {
  auto writes = cpuQuotaWrites(parseCgroupMounts(kHybrid), "/berth/c1", CpuQuota{1000, 100000});
  EXPECT_THAT(writes, ::testing::ElementsAre(
                          CgroupWrite{"/sys/fs/cgroup/cpu/berth/c1/cpu.cfs_period_us", "100000"},
                          CgroupWrite{"/sys/fs/cgroup/cpu/berth/c1/cpu.cfs_quota_us", "1000"}));
}

TEST(CgroupPathsTest, CpuQuotaWritesOnV1WithCpuAndCpuacctTogether) {
  auto mounts = parseCgroupMounts(
      "32 31 0:29 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
      "33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n");
  auto writes = cpuQuotaWrites(mounts, "/x", CpuQuota{50000, 100000});
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[1], (CgroupWrite{"/sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_quota_us", "50000"}));
}

TEST(CgroupPathsTest, CpuQuotaWritesOnPureV2) {
  auto mounts =
      parseCgroupMounts("30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
  EXPECT_THAT(
      cpuQuotaWrites(mounts, "/berth/c1", CpuQuota{1000, 100000}),
      ::testing::ElementsAre(CgroupWrite{"/sys/fs/cgroup/berth/c1/cpu.max", "1000 100000"}));
  EXPECT_THAT(cpuQuotaWrites(mounts, "/berth/c1", CpuQuota{-1, 100000}),
              ::testing::ElementsAre(CgroupWrite{"/sys/fs/cgroup/berth/c1/cpu.max", "max 100000"}));
}

TEST(CgroupPathsTest, CpuQuotaWritesNeedAnAbsolutePathAndACpuController) {
  EXPECT_TRUE(cpuQuotaWrites(parseCgroupMounts(kHybrid), "berth/c1", CpuQuota{}).empty());
  auto noCpu =
      parseCgroupMounts("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
  EXPECT_TRUE(cpuQuotaWrites(noCpu, "/berth/c1", CpuQuota{}).empty());
  EXPECT_NE(applyCpuQuota("relative", CpuQuota{}), "");
}

TEST(CgroupPathsTest, OomCounterOfThisProcess) {
  // Every test process has a memory cgroup (v1 or v2) with an oom_kill counter.
  std::string file = oomCounterFile(::getpid());
  ASSERT_FALSE(file.empty());
  EXPECT_GE(readOomKillCount(file), 0);
  EXPECT_EQ(readOomKillCount(""), -1);
  EXPECT_EQ(readOomKillCount("/nonexistent"), -1);
}

}  // namespace
}  // namespace berth::runtime
