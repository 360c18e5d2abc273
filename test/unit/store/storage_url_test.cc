#include "store/storage_url.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "store/key_range.h"
#include "unit/store/store_test_util.h"

namespace berth::store {
namespace {

TEST(StorageUrlTest, OpensSqliteAbsolutePath) {
  TempDir dir;
  auto file = dir.path() / "a" / "state.db";
  auto store = openStorage("sqlite://" + file.string());
  ASSERT_TRUE(store) << store.error().message();
  ASSERT_TRUE((*store)->create("k", "v"));
  EXPECT_TRUE(files::exists(file));
}

TEST(StorageUrlTest, OpensSqliteRelativePath) {
  TempDir dir;
  ASSERT_TRUE(files::makeDirs(dir.path()));
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  auto store = openStorage("sqlite://data/state.db");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(store) << store.error().message();
  EXPECT_TRUE(files::exists(dir.path() / "data" / "state.db"));
}

TEST(StorageUrlTest, RejectsOtherUrls) {
  auto etcd = openStorage("etcd://127.0.0.1:2379");
  ASSERT_FALSE(etcd);
  EXPECT_EQ(etcd.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(etcd.error().message().find("not available in this build"), std::string::npos);

  for (auto url : {"", "sqlite://", "sqlite:/x.db", "/tmp/x.db", "mysql://h/db", "SQLITE://x"}) {
    auto store = openStorage(url);
    ASSERT_FALSE(store) << url;
    EXPECT_EQ(store.error().code(), ErrorCode::kInvalidArgument) << url;
  }
  auto other = openStorage("redis://h");
  EXPECT_NE(other.error().message().find("sqlite://PATH"), std::string::npos);
  EXPECT_NE(other.error().message().find("etcd://"), std::string::npos);
}

TEST(KeyRangeTest, PrefixEnd) {
  EXPECT_EQ(prefixEnd("a/"), "a0");
  EXPECT_EQ(prefixEnd("a"), "b");
  EXPECT_EQ(prefixEnd("a\xff"), "b");
  EXPECT_EQ(prefixEnd("a\xfe"), "a\xff");
  EXPECT_EQ(prefixEnd(""), std::nullopt);
  EXPECT_EQ(prefixEnd("\xff\xff"), std::nullopt);
}

}  // namespace
}  // namespace berth::store
