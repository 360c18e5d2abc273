#include "base/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/random.h"
#include "base/sha256.h"

namespace berth::files {
namespace {

TEST(FilesTest, WriteAtomicCreatesParentsAndReplaces) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-files-" + randomHex(6));
  auto path = dir / "a" / "b.json";
  ASSERT_TRUE(writeAtomic(path, "one"));
  ASSERT_TRUE(writeAtomic(path, "two", 0600));
  EXPECT_EQ(*read(path), "two");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(listDir(dir / "a")->size(), 1u);  // no temporary left behind
  ASSERT_TRUE(removeAll(dir));
  EXPECT_FALSE(files::exists(dir));
  EXPECT_EQ(read(path).error().code(), ErrorCode::kNotFound);
}

TEST(Sha256Test, KnownDigest) {
  EXPECT_EQ(Sha256::digestOf("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace berth::files
