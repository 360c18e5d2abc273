#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/runtime/cgroups.h"
#include "agent/runtime/oci_runtime.h"
#include "runtime_fixture.h"

namespace berth::runtime::testing {
namespace {

// Resident set size of a process in KiB (VmRSS of /proc/PID/status).
long rssKiB(pid_t pid) {
  auto status = files::read("/proc/" + std::to_string(pid) + "/status");
  if (!status) {
    return -1;
  }
  auto pos = status->find("VmRSS:");
  return pos == std::string::npos ? -1 : std::stol(status->substr(pos + 6));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Runtime::start against the bare runtime (`crun create` + `crun start` of the same
// config.json), interleaved so both see the same machine load.
TEST_F(RuntimeTest, StartLatencyAndMonitorFootprint) {
  constexpr int kRuns = 20;
  std::vector<double> ours, bare;
  long maxRss = 0;
  fs::path bundle = tmp_ / "bare";
  fs::create_directories(bundle);
  fs::path bareRoot = tmp_ / "bare-state";
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  for (int i = 0; i < kRuns; ++i) {
    auto spec = makeSpec({"sleep", "60"});
    auto t0 = std::chrono::steady_clock::now();
    auto started = start(spec);
    ours.push_back(ms(std::chrono::steady_clock::now() - t0));
    ASSERT_TRUE(started) << started.error().message();
    ASSERT_EQ(started->status, ContainerStatus::kRunning);
    auto files = readContainerFiles(spec.dir);
    ASSERT_TRUE(files.started);
    maxRss = std::max(maxRss, rssKiB(files.started->monitor.pid));
    fs::copy_file(spec.dir / "config.json", bundle / "config.json",
                  fs::copy_options::overwrite_existing);
    ASSERT_TRUE(runtime_->remove(spec.dir));

    std::string id = spec.id + "-bare";
    std::vector<std::string> base = {"crun", "--root", bareRoot.string()};
    auto cmd = [&](std::vector<std::string> args) {
      args.insert(args.begin(), base.begin(), base.end());
      return args;
    };
    process::Options quiet;
    quiet.captureOutput = false;  // files, not pipes: the container inherits them
    t0 = std::chrono::steady_clock::now();
    auto created = process::run(cmd({"create", "--bundle", bundle.string(), id}), quiet);
    auto started2 = process::run(cmd({"start", id}), quiet);
    bare.push_back(ms(std::chrono::steady_clock::now() - t0));
    ASSERT_TRUE(created && created->succeeded());
    ASSERT_TRUE(started2 && started2->succeeded());
    ASSERT_TRUE(process::run(cmd({"delete", "-f", id}), quiet));
    ASSERT_TRUE(removeCgroupDirs(spec.cgroupsPath));
  }
  double oursMedian = median(ours), bareMedian = median(bare);
  std::printf(
      "Runtime::start median %.1f ms (min %.1f); bare crun create+start median %.1f ms "
      "(min %.1f); ratio %.2f; monitor RSS max %ld KiB\n",
      oursMedian, *std::min_element(ours.begin(), ours.end()), bareMedian,
      *std::min_element(bare.begin(), bare.end()), oursMedian / bareMedian, maxRss);
  RecordProperty("start_median_ms", std::to_string(oursMedian));
  RecordProperty("bare_median_ms", std::to_string(bareMedian));
  RecordProperty("monitor_rss_kib", std::to_string(maxRss));
  EXPECT_LT(oursMedian, 500.0);
  EXPECT_GT(maxRss, 0);
  EXPECT_LT(maxRss, 4096);
}

}  // namespace
}  // namespace berth::runtime::testing
