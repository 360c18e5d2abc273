#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "agent/runtime/cgroups.h"
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

// The quota is not in config.json (the runtime's set-up would run under it) but is in the
// cgroup, exactly, before start() returns.
void expectSmallCpuLimitApplied(const ContainerSpec& spec, const Result<ContainerState>& started) {
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_EQ(started->status, ContainerStatus::kRunning) << started->message;
  EXPECT_EQ(cgroupFile("cpu", spec.cgroupsPath, "cpu.cfs_quota_us"), "1000");
  EXPECT_EQ(cgroupFile("cpu", spec.cgroupsPath, "cpu.cfs_period_us"), "100000");
  EXPECT_EQ(cgroupFile("cpu", spec.cgroupsPath, "cpu.shares"), "10");
  auto config = nlohmann::json::parse(files::read(spec.dir / "config.json").value_or("{}"));
  EXPECT_EQ(config["linux"]["resources"]["cpu"], nlohmann::json::parse(R"({"shares":10})"));
  std::string procs = cgroupFile("cpu", spec.cgroupsPath, "cgroup.procs");
  EXPECT_THAT(procs, HasSubstr(std::to_string(started->pid)));
}

TEST_F(RuntimeTest, SmallCpuLimitIsAppliedAfterTheRuntimeStarted) {
  auto spec = makeSpec({"sleep", "60"});
  spec.resources.cpuShares = 10;
  spec.resources.cpuQuotaMicros = 1000;  // 0.01 vCPU
  expectSmallCpuLimitApplied(spec, start(spec));
  // Still there for the next agent (adoption reads the files, the cgroup is untouched).
  runtime_ = makeRuntime();
  EXPECT_EQ(runtime_->state(spec.dir).status, ContainerStatus::kRunning);
  EXPECT_EQ(cgroupFile("cpu", spec.cgroupsPath, "cpu.cfs_quota_us"), "1000");
  // A restart in the same dir gets the limit again.
  ASSERT_TRUE(runtime_->stop(spec.dir, std::chrono::milliseconds(0)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!runtime_->listIds()->empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(cgroupExists(spec.cgroupsPath));
  expectSmallCpuLimitApplied(spec, start(spec));
}

TEST_F(RuntimeTest, SmallCpuLimitWithRunc) {
  runtime_ = makeRuntime("runc");
  auto spec = makeSpec({"sleep", "60"});
  spec.resources.cpuShares = 10;
  spec.resources.cpuQuotaMicros = 1000;
  expectSmallCpuLimitApplied(spec, start(spec));
}

TEST_F(RuntimeTest, CpuLimitOfAContainerThatEndsAtOnce) {
  auto spec = makeSpec({"true"});
  spec.resources.cpuQuotaMicros = 1000;
  auto started = start(spec);
  ASSERT_TRUE(started) << started.error().message();
  auto s = waitExited(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited) << s.message;
  EXPECT_EQ(s.exitCode, 0);
}

TEST_F(RuntimeTest, CpuLimitThatCannotBeAppliedFailsTheStartAndLeavesNothing) {
  auto spec = makeSpec({"sleep", "60"});
  spec.resources.cpuQuotaMicros = 500;  // the kernel's minimum is 1 ms
  auto started = start(spec);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), ErrorCode::kInternal);
  EXPECT_THAT(started.error().message(), HasSubstr("cpu.cfs_quota_us"));
  auto s = runtime_->state(spec.dir);
  EXPECT_EQ(s.status, ContainerStatus::kFailed);
  EXPECT_THAT(s.message, HasSubstr("cpu quota"));
  auto ids = runtime_->listIds();
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_THAT(*ids, ::testing::IsEmpty());
  EXPECT_FALSE(cgroupExists(spec.cgroupsPath));
  EXPECT_THAT(processesMentioning(spec.dir.string()), ::testing::IsEmpty());
}

}  // namespace
}  // namespace berth::runtime::testing
