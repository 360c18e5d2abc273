#include "agent/image/layer_unpack.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/files.h"
#include "base/random.h"
#include "base/sha256.h"
#include "unit/image/tar_builder.h"

namespace berth::image {
namespace {

namespace fs = std::filesystem;
using namespace testing;

class LayerUnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "layer unpacking keeps owners and makes whiteout devices: root";
    dir_ = fs::temp_directory_path() / ("berth-layer-" + randomHex(6));
    ASSERT_TRUE(files::makeDirs(dir_ / "dest"));
  }
  void TearDown() override { (void)files::removeAll(dir_); }

  fs::path writeBlob(const std::string& content) {
    fs::path p = dir_ / ("blob-" + randomHex(4));
    EXPECT_TRUE(files::writeAtomic(p, content));
    return p;
  }
  fs::path dest() const { return dir_ / "dest"; }

  fs::path dir_;
};

TEST_F(LayerUnpackTest, KeepsOwnersModesLinksAndDevices) {
  TarEntry setuid = file("bin/tool", "#!/bin/sh\n", 04755);
  setuid.uid = 1000;
  setuid.gid = 2000;
  TarEntry fifo{.path = "run/fifo", .type = AE_IFIFO, .perm = 0600};
  std::string tar = makeTar({dir("./"), dir("bin", 0711), setuid, symlink("bin/sh", "/bin/busybox"),
                             hardlink("bin/tool2", "bin/tool"), fifo,
                             file("deep/er/path.txt", "parents made on the way")},
                            true);
  ASSERT_TRUE(unpackLayer(writeBlob(tar), dest(), ""));

  struct stat st {};
  ASSERT_EQ(::lstat((dest() / "bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 2000u);
  EXPECT_EQ(st.st_mtime, 1700000000);
  ino_t ino = st.st_ino;
  ASSERT_EQ(::lstat((dest() / "bin/tool2").c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, ino);
  ASSERT_EQ(::lstat((dest() / "bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0711u);
  ASSERT_EQ(::lstat((dest() / "bin/sh").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(fs::read_symlink(dest() / "bin/sh"), "/bin/busybox");
  ASSERT_EQ(::lstat((dest() / "run/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(*files::read(dest() / "deep/er/path.txt"), "parents made on the way");
  ASSERT_EQ(::lstat(dest().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(LayerUnpackTest, WhiteoutsBecomeOverlayWhiteouts) {
  std::string tar = makeTar({file("etc/.wh.passwd", ""), dir("var"), dir("var/cache"),
                             file("var/cache/.wh..wh..opq", ""), file("var/cache/new", "n"),
                             file(".wh..wh.plnk", "")});
  ASSERT_TRUE(unpackLayer(writeBlob(tar), dest(), ""));

  struct stat st {};
  ASSERT_EQ(::lstat((dest() / "etc/passwd").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(fs::exists(dest() / "etc/.wh.passwd"));

  char value[8] = {0};
  ssize_t n =
      ::getxattr((dest() / "var/cache").c_str(), "trusted.overlay.opaque", value, sizeof(value));
  ASSERT_EQ(n, 1);
  EXPECT_EQ(value[0], 'y');
  EXPECT_FALSE(fs::exists(dest() / "var/cache/.wh..wh..opq"));
  EXPECT_TRUE(fs::exists(dest() / "var/cache/new"));
  EXPECT_FALSE(fs::exists(dest() / ".wh..wh.plnk"));
}

TEST_F(LayerUnpackTest, RefusesPathsLeavingTheLayer) {
  auto escape = unpackLayer(writeBlob(makeTar({file("a/../../evil", "x")})), dest(), "");
  ASSERT_FALSE(escape);
  EXPECT_EQ(escape.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(escape.error().message().find("escapes the layer"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "evil"));

  fs::path outside = dir_ / "outside";
  ASSERT_TRUE(files::makeDirs(outside));
  auto through = unpackLayer(
      writeBlob(makeTar({symlink("out", outside.string()), file("out/pwned", "x")})), dest(), "");
  ASSERT_FALSE(through);
  EXPECT_EQ(through.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(outside / "pwned"));

  auto hard = unpackLayer(writeBlob(makeTar({hardlink("x", "../../etc/passwd")})), dest(), "");
  ASSERT_FALSE(hard);
  EXPECT_EQ(hard.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(LayerUnpackTest, VerifiesDiffId) {
  std::vector<TarEntry> entries = {file("hello", "world")};
  std::string plain = makeTar(entries);
  std::string diffId = Sha256::digestOf(plain);
  ASSERT_TRUE(unpackLayer(writeBlob(makeTar(entries, true)), dest(), diffId));
  EXPECT_EQ(*files::read(dest() / "hello"), "world");

  fs::path other = dir_ / "other";
  ASSERT_TRUE(files::makeDirs(other));
  auto bad = unpackLayer(writeBlob(makeTar({file("hello", "w0rld")}, true)), other, diffId);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(bad.error().message().find("diff id mismatch"), std::string::npos);
}

TEST_F(LayerUnpackTest, ZstdAndUncompressedLayers) {
  std::vector<TarEntry> entries = {file("z/data", std::string(5000, 'z'))};
  std::string diffId = Sha256::digestOf(makeTar(entries));
  ASSERT_TRUE(unpackLayer(writeBlob(makeTar(entries, Compression::kZstd)), dest(), diffId));
  EXPECT_EQ(files::read(dest() / "z/data")->size(), 5000u);
  fs::path plain = dir_ / "plain";
  ASSERT_TRUE(files::makeDirs(plain));
  ASSERT_TRUE(unpackLayer(writeBlob(makeTar(entries)), plain, diffId));
  EXPECT_EQ(files::read(plain / "z/data")->size(), 5000u);
}

TEST_F(LayerUnpackTest, CorruptGzipIsDataLoss) {
  std::string gz = makeTar({file("a", std::string(10000, 'x'))}, true);
  gz.resize(gz.size() / 2);
  auto s = unpackLayer(writeBlob(gz), dest(), "");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kDataLoss);
}

TEST_F(LayerUnpackTest, UnpackOnceRenamesIntoPlace) {
  fs::path blob = writeBlob(makeTar({file("f", "1")}, true));
  fs::path layers = dir_ / "layers";
  auto first = unpackLayerOnce(blob, layers, "abc", "");
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);
  auto second = unpackLayerOnce(blob, layers, "abc", "");
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  EXPECT_EQ(*files::listDir(layers), std::vector<std::string>{"abc"});  // no temporaries left

  auto bad = unpackLayerOnce(blob, layers, "def", Sha256::digestOf("not it"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(*files::listDir(layers), std::vector<std::string>{"abc"});
}

}  // namespace
}  // namespace berth::image
