#include "agent/stats_summary.h"

#include <gtest/gtest.h>

#include "base/files.h"
#include "base/random.h"

namespace berth::agent {
namespace {

namespace fs = std::filesystem;

constexpr const char* kProcStat =
    "cpu  100 20 30 5000 40 5 6 7 0 0\n"
    "cpu0 50 10 15 2500 20 2 3 3 0 0\n"
    "intr 12345\n"
    "btime 1700000000\n";
constexpr const char* kMeminfo =
    "MemTotal:        1000 kB\n"
    "MemFree:          200 kB\n"
    "MemAvailable:     600 kB\n"
    "Inactive(file):   100 kB\n";

class StatsSummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("berth-stats-" + randomHex(4));
    ASSERT_TRUE(files::makeDirs(dir_ / "proc"));
    write("proc/stat", kProcStat);
    write("proc/meminfo", kMeminfo);
  }
  void TearDown() override { files::removeAll(dir_); }

  void write(const std::string& rel, const std::string& text) {
    ASSERT_TRUE(files::makeDirs((dir_ / rel).parent_path()));
    ASSERT_TRUE(files::writeAtomic(dir_ / rel, text));
  }

  // A hybrid host: v1 cpu, cpuacct and memory hierarchies beside an empty cgroup2.
  std::vector<runtime::CgroupMount> v1Mounts() {
    return {
        {(dir_ / "cg/cpu").string(), false, {"cpu"}},
        {(dir_ / "cg/cpuacct").string(), false, {"cpuacct"}},
        {(dir_ / "cg/memory").string(), false, {"memory"}},
        {(dir_ / "cg/unified").string(), true, {}},
    };
  }

  api::Pod runningPod(const std::string& name, const std::string& id) {
    api::Pod p;
    p.metadata.name = name;
    p.metadata.namespace_ = "default";
    p.metadata.uid = "uid-" + name;
    p.status.startTime = "2026-11-29T00:00:00Z";
    api::ContainerStatus cs;
    cs.name = "main";
    cs.containerID = "berth://" + id;
    cs.state.running = api::ContainerStateRunning{"2026-11-29T00:00:01Z"};
    p.status.containerStatuses.push_back(cs);
    return p;
  }

  fs::path dir_;
};

TEST_F(StatsSummaryTest, CgroupV1Usage) {
  write("cg/cpuacct/berth/c1/cpuacct.usage", "123456789\n");
  write("cg/memory/berth/c1/memory.usage_in_bytes", "5000000\n");
  write("cg/memory/berth/c1/memory.stat",
        "cache 10\ninactive_file 7\ntotal_inactive_file 1000000\n");
  auto usage = readCgroupUsage(v1Mounts(), "/berth/c1");
  ASSERT_TRUE(usage) << usage.error().message();
  EXPECT_EQ(usage->cpuNanos, 123456789u);
  EXPECT_EQ(usage->memoryUsage, 5000000u);
  EXPECT_EQ(usage->workingSet, 4000000u);
  EXPECT_FALSE(readCgroupUsage(v1Mounts(), "/berth/none"));
}

TEST_F(StatsSummaryTest, CgroupV2Usage) {
  std::vector<runtime::CgroupMount> mounts = {{(dir_ / "cg2").string(), true, {}}};
  write("cg2/berth/c2/cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
  write("cg2/berth/c2/memory.current", "8192\n");
  write("cg2/berth/c2/memory.stat", "anon 4096\nfile 4096\ninactive_file 10000\n");
  auto usage = readCgroupUsage(mounts, "/berth/c2");
  ASSERT_TRUE(usage) << usage.error().message();
  EXPECT_EQ(usage->cpuNanos, 2'500'000u);
  EXPECT_EQ(usage->memoryUsage, 8192u);
  EXPECT_EQ(usage->workingSet, 0u);  // never below zero
}

TEST_F(StatsSummaryTest, NodeUsageFromProc) {
  auto node = parseNodeUsage(kProcStat, kMeminfo);
  ASSERT_TRUE(node);
  // user+nice+system+irq+softirq+steal = 168 ticks of 10 ms.
  EXPECT_EQ(node->cpuNanos, 168u * 10'000'000u);
  EXPECT_EQ(node->memoryUsage, 800u * 1024);
  EXPECT_EQ(node->workingSet, 700u * 1024);
  EXPECT_EQ(node->available, 300u * 1024);
  EXPECT_EQ(node->bootTime, 1700000000);
  EXPECT_FALSE(parseNodeUsage("garbage", ""));
}

TEST_F(StatsSummaryTest, SummaryJsonFollowsTheContract) {
  write("cg/cpuacct/berth/c1/cpuacct.usage", "1000\n");
  write("cg/memory/berth/c1/memory.usage_in_bytes", "4000\n");
  write("cg/memory/berth/c1/memory.stat", "total_inactive_file 1000\n");
  write("cg/cpuacct/berth/c2/cpuacct.usage", "500\n");
  write("cg/memory/berth/c2/memory.usage_in_bytes", "100\n");
  write("cg/memory/berth/c2/memory.stat", "total_inactive_file 0\n");
  auto a = runningPod("a", "c1");
  api::ContainerStatus side = a.status.containerStatuses[0];
  side.name = "side";
  side.containerID = "berth://c2";
  a.status.containerStatuses.push_back(side);
  api::ContainerStatus done;  // exited: left out
  done.name = "done";
  done.containerID = "berth://c3";
  done.state.terminated = api::ContainerStateTerminated{};
  a.status.containerStatuses.push_back(done);
  auto pending = runningPod("pending", "c9");
  pending.status.containerStatuses[0].state = {};  // no running container: no entry

  StatsSources sources;
  sources.nodeName = "n1";
  sources.procDir = dir_ / "proc";
  sources.mounts = v1Mounts();
  auto now = Clock::WallTime(std::chrono::seconds(1800000000));
  auto summary = buildStatsSummary({a, pending}, sources, now);
  ASSERT_TRUE(summary) << summary.error().message();
  const auto& j = *summary;
  const std::string t = rfc3339(now);
  EXPECT_EQ(j["node"]["nodeName"], "n1");
  EXPECT_EQ(j["node"]["startTime"], rfc3339(Clock::WallTime(std::chrono::seconds(1700000000))));
  EXPECT_EQ(j["node"]["cpu"], (nlohmann::json{{"time", t}, {"usageCoreNanoSeconds", 1680000000}}));
  EXPECT_EQ(j["node"]["memory"]["availableBytes"], 300 * 1024);
  EXPECT_EQ(j["node"]["memory"]["workingSetBytes"], 700 * 1024);
  EXPECT_EQ(j["node"]["memory"]["usageBytes"], 800 * 1024);
  ASSERT_EQ(j["pods"].size(), 1u);
  const auto& pod = j["pods"][0];
  EXPECT_EQ(pod["podRef"],
            (nlohmann::json{{"name", "a"}, {"namespace", "default"}, {"uid", "uid-a"}}));
  EXPECT_EQ(pod["startTime"], "2026-11-29T00:00:00Z");
  ASSERT_EQ(pod["containers"].size(), 2u);
  EXPECT_EQ(
      pod["containers"][0],
      (nlohmann::json{{"name", "main"},
                      {"startTime", "2026-11-29T00:00:01Z"},
                      {"cpu", {{"time", t}, {"usageCoreNanoSeconds", 1000}}},
                      {"memory", {{"time", t}, {"workingSetBytes", 3000}, {"usageBytes", 4000}}}}));
  EXPECT_EQ(pod["cpu"]["usageCoreNanoSeconds"], 1500);
  EXPECT_EQ(pod["memory"]["workingSetBytes"], 3100);
  EXPECT_EQ(pod["memory"]["usageBytes"], 4100);
}

}  // namespace
}  // namespace berth::agent
