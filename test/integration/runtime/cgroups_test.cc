#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "agent/runtime/cgroup_paths.h"
#include "runtime_fixture.h"

namespace berth::runtime::testing {
namespace {

TEST(PrepareCgroupsTest, IdempotentAndSafeToRace) {
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&results, i] { results[i] = prepareCgroups(); });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const auto& r : results) {
    EXPECT_TRUE(r) << r.error().message();
  }
  auto mounts = cgroupMounts();
  for (const auto& m : mounts) {
    if (m.v2 && m.mountPoint != "/sys/fs/cgroup") {
      // Hybrid host: crun needs cgroup2 without controllers.
      auto controllers = files::read(m.mountPoint + "/cgroup.controllers").value_or("?");
      EXPECT_EQ(controllers.find_first_not_of(" \n"), std::string::npos) << controllers;
    }
  }
  // Each hierarchy is mounted once, however many callers raced.
  auto mountinfo = files::read("/proc/self/mountinfo").value_or("");
  size_t hugetlbMounts = 0;
  for (size_t pos = 0; (pos = mountinfo.find(" rw,hugetlb\n", pos)) != std::string::npos; ++pos) {
    ++hugetlbMounts;
  }
  EXPECT_LE(hugetlbMounts, 1u);
}

}  // namespace
}  // namespace berth::runtime::testing
