#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime_fixture.h"

namespace berth::runtime::testing {
namespace {

TEST_F(RuntimeTest, LogRotationKeepsAtMostMaxFiles) {
  auto spec = makeSpec({"sh", "-c", "for i in $(seq 1 300); do echo line $i; done"});
  spec.logMaxBytes = 2000;
  spec.logMaxFiles = 3;
  ASSERT_TRUE(start(spec));
  auto s = waitExited(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited);
  std::string base = spec.logPath.string();
  EXPECT_TRUE(files::exists(base));
  EXPECT_TRUE(files::exists(base + ".1"));
  EXPECT_TRUE(files::exists(base + ".2"));
  EXPECT_FALSE(files::exists(base + ".3"));
  for (const auto& f : {base, base + ".1", base + ".2"}) {
    EXPECT_LE(std::filesystem::file_size(f), 2000u) << f;
  }
  // The newest lines are in the current file.
  EXPECT_THAT(logMessages(spec), ::testing::Contains("line 300"));
}

TEST_F(RuntimeTest, LongAndUnterminatedLinesArePartial) {
  auto spec =
      makeSpec({"sh", "-c", "head -c 20000 /dev/zero | tr '\\0' a; echo; printf 'no newline'"});
  ASSERT_TRUE(start(spec));
  waitExited(spec.dir);
  std::string log = readLog(spec);
  EXPECT_THAT(log, ::testing::HasSubstr(" stdout P " + std::string(16384, 'a') + "\n"));
  EXPECT_THAT(log, ::testing::HasSubstr(" stdout F " + std::string(20000 - 16384, 'a') + "\n"));
  EXPECT_THAT(log, ::testing::HasSubstr(" stdout P no newline\n"));
}

}  // namespace
}  // namespace berth::runtime::testing
