#include "base/dir_spread.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "base/files.h"
#include "base/random.h"

namespace berth::files {
namespace {

std::optional<int> inodeFlags(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  int flags = 0;
  bool got = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  ::close(fd);
  return got ? std::optional<int>(flags) : std::nullopt;
}

TEST(DirSpreadTest, FlagsTheDirectoryOnExt4AndIsHarmlessElsewhere) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-spread-" + randomHex(6));
  ASSERT_TRUE(makeDirs(dir));
  auto result = spreadSubdirectories(dir);
  ASSERT_TRUE(result) << result.error().message();
  ASSERT_TRUE(spreadSubdirectories(dir));  // idempotent
  struct statfs fs {};
  ASSERT_EQ(::statfs(dir.c_str(), &fs), 0);
  if (fs.f_type == EXT4_SUPER_MAGIC) {
    auto flags = inodeFlags(dir);
    ASSERT_TRUE(flags.has_value());
    EXPECT_NE(*flags & FS_TOPDIR_FL, 0);
  }
  ASSERT_TRUE(removeAll(dir));
}

TEST(DirSpreadTest, MissingDirectoryIsAnErrorNamingIt) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-spread-" + randomHex(6));
  auto result = spreadSubdirectories(dir);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(result.error().message().find(dir.string()), std::string::npos);
}

}  // namespace
}  // namespace berth::files
