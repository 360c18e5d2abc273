// Clean-up of debris: mounts under a pod directory whose record was lost.

#include <gtest/gtest.h>
#include <sys/mount.h>

#include "agent/pod_sync_loop.h"
#include "base/files.h"
#include "base/random.h"

namespace berth::agent {
namespace {

TEST(DebrisTest, UnmountAllUnderRemovesNestedMounts) {
  auto dir = std::filesystem::path("/tmp") / ("berth-debris-" + randomHex(4));
  ASSERT_TRUE(files::makeDirs(dir / "a" / "b"));
  ASSERT_EQ(::mount("tmpfs", (dir / "a").c_str(), "tmpfs", 0, "size=1m"), 0);
  ASSERT_TRUE(files::makeDirs(dir / "a" / "b"));
  ASSERT_EQ(::mount("tmpfs", (dir / "a" / "b").c_str(), "tmpfs", 0, "size=1m"), 0);
  unmountAllUnder(dir);
  auto table = files::read("/proc/self/mountinfo").value_or("");
  EXPECT_EQ(table.find(dir.string()), std::string::npos);
  EXPECT_TRUE(files::removeAll(dir));
}

}  // namespace
}  // namespace berth::agent
