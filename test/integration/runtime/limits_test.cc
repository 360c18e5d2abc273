#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "runtime_fixture.h"

namespace berth::runtime::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(RuntimeTest, MemoryLimitOomKills) {
  auto spec = makeSpec({"tail", "/dev/zero"});
  spec.resources.memoryLimitBytes = 32 * 1024 * 1024;
  auto started = start(spec);
  ASSERT_TRUE(started) << started.error().message();
  auto s = waitExited(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited) << s.message;
  EXPECT_TRUE(s.oomKilled);
  EXPECT_EQ(s.exitCode, 137);
  EXPECT_EQ(s.signal, SIGKILL);
}

TEST_F(RuntimeTest, KilledWithoutOomIsNotOomKilled) {
  auto spec = makeSpec({"sleep", "60"});
  spec.resources.memoryLimitBytes = 32 * 1024 * 1024;
  ASSERT_TRUE(start(spec));
  ASSERT_TRUE(runtime_->stop(spec.dir, std::chrono::milliseconds(0)));
  auto s = runtime_->state(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited);
  EXPECT_FALSE(s.oomKilled);
  EXPECT_EQ(s.exitCode, 137);
}

TEST_F(RuntimeTest, PidsLimitIsEnforced) {
  // busybox sh exits when it cannot fork, so the forking happens in a child shell.
  auto spec = makeSpec({"sh", "-c",
                        "sh -c 'for i in $(seq 1 20); do sleep 60 & done'; echo forked; "
                        "exec sleep 60"});
  spec.resources.pidsLimit = 8;
  auto started = start(spec);
  ASSERT_TRUE(started) << started.error().message();
  ASSERT_TRUE(waitLog(spec, "forked"));
  EXPECT_EQ(cgroupFile("pids", spec.cgroupsPath, "pids.max"), "8");
  EXPECT_LE(std::stoi(cgroupFile("pids", spec.cgroupsPath, "pids.current")), 8);
  EXPECT_THAT(readLog(spec), HasSubstr("can't fork"));
  ASSERT_TRUE(runtime_->stop(spec.dir, std::chrono::milliseconds(0)));
}

TEST_F(RuntimeTest, CgroupValuesFollowResources) {
  auto spec = makeSpec({"sleep", "60"});
  spec.resources.cpuShares = 512;
  spec.resources.cpuQuotaMicros = 50000;
  spec.resources.memoryLimitBytes = 64 * 1024 * 1024;
  spec.resources.pidsLimit = 100;
  auto started = start(spec);
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_EQ(cgroupFile("cpu", spec.cgroupsPath, "cpu.shares"), "512");
  EXPECT_EQ(cgroupFile("cpu", spec.cgroupsPath, "cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(cgroupFile("cpu", spec.cgroupsPath, "cpu.cfs_period_us"), "100000");
  EXPECT_EQ(cgroupFile("memory", spec.cgroupsPath, "memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(cgroupFile("memory", spec.cgroupsPath, "memory.memsw.limit_in_bytes"), "67108864");
  EXPECT_EQ(cgroupFile("pids", spec.cgroupsPath, "pids.max"), "100");
  // The container's process is in that cgroup.
  std::string procs = cgroupFile("memory", spec.cgroupsPath, "cgroup.procs");
  EXPECT_THAT(procs, HasSubstr(std::to_string(started->pid)));
}

}  // namespace
}  // namespace berth::runtime::testing
