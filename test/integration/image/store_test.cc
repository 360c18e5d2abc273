// Image store operations beyond pulling: import, lookup, removal, garbage collection, and
// overlay root filesystems over pulled layers.

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>

#include "agent/image/layer_unpack.h"
#include "agent/image/snapshot.h"
#include "integration/image/image_fixture.h"
#include "unit/image/tar_builder.h"

namespace berth::image {
namespace {

using testing::ImageStoreFixture;
namespace fs = std::filesystem;

class StoreTest : public ImageStoreFixture {
 protected:
  void TearDown() override {
    // Never leave a mount behind, even when an assertion failed half way.
    if (!mountDir_.empty()) {
      (void)unmountRootfs(mountDir_);
    }
    ImageStoreFixture::TearDown();
  }

  std::vector<std::string> names(const fs::path& dir) {
    auto n = files::listDir(dir);
    return n ? *n : std::vector<std::string>{};
  }

  bool mounted(const fs::path& path) {
    auto mounts = files::read("/proc/self/mounts");
    return mounts && mounts->find(" " + path.string() + " ") != std::string::npos;
  }

  fs::path mountDir_;
};

TEST_F(StoreTest, ImportsSkopeoArchive) {
  fs::path archive = root_ / "exit.tar";
  ASSERT_TRUE(files::makeDirs(root_));
  auto made = process::runChecked(
      {"skopeo", "--insecure-policy", "copy", "-q", "oci:" + ociLayout().string() + ":exit",
       "oci-archive:" + archive.string() + ":127.0.0.1:5999/imported/exit:7"});
  ASSERT_TRUE(made) << made.error().message();

  auto imported = store_->importArchive(archive);
  ASSERT_TRUE(imported) << imported.error().message();
  ASSERT_EQ(imported->size(), 1u);
  EXPECT_EQ(imported->front().names, std::vector<std::string>{"127.0.0.1:5999/imported/exit:7"});
  EXPECT_EQ(imported->front().config.env,
            (std::vector<std::string>{"PATH=/bin:/usr/bin", "EXIT_CODE=3"}));
  EXPECT_EQ(store_->stats().registryRequests, 0u);

  // Usable offline: Never finds it, and its layers are unpacked.
  auto image = store_->ensure("127.0.0.1:5999/imported/exit:7", PullPolicy::kNever, std::nullopt);
  ASSERT_TRUE(image) << image.error().message();
  auto dirs = store_->layerDirs(*image);
  ASSERT_TRUE(dirs);
  EXPECT_TRUE(fs::exists(dirs->front() / "bin/busybox"));

  // A bare name means Docker Hub's library, as in a pod spec.
  fs::path bare = root_ / "bare.tar";
  ASSERT_TRUE(process::runChecked({"skopeo", "--insecure-policy", "copy", "-q",
                                   "oci:" + ociLayout().string() + ":busybox",
                                   "oci-archive:" + bare.string() + ":mybox"}));
  ASSERT_TRUE(store_->importArchive(bare));
  EXPECT_TRUE(store_->ensure("mybox", PullPolicy::kNever, std::nullopt));
  EXPECT_TRUE(store_->get("docker.io/library/mybox:latest"));
}

TEST_F(StoreTest, ImportRejectsTamperedArchive) {
  ASSERT_TRUE(files::makeDirs(root_ / "layout"));
  fs::path layout = root_ / "layout" / "oci";
  auto copied = process::runChecked({"skopeo", "--insecure-policy", "copy", "-q",
                                     "oci:" + ociLayout().string() + ":busybox",
                                     "oci:" + layout.string() + ":bb"});
  ASSERT_TRUE(copied) << copied.error().message();
  // Corrupt the layer blob (the largest file), then pack the layout as a tar.
  fs::path largest;
  for (const auto& e : fs::directory_iterator(layout / "blobs/sha256")) {
    if (largest.empty() || fs::file_size(e.path()) > fs::file_size(largest)) {
      largest = e.path();
    }
  }
  {
    std::fstream f(largest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('X');
  }
  fs::path archive = root_ / "bad.tar";
  ASSERT_TRUE(process::runChecked({"tar", "-C", layout.string(), "-cf", archive.string(), "."}));
  auto imported = store_->importArchive(archive);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code(), ErrorCode::kDataLoss);
  EXPECT_TRUE(store_->list()->empty());

  auto notLayout = store_->importArchive(root_ / "layout" / "oci" / "oci-layout");
  ASSERT_FALSE(notLayout);
  EXPECT_EQ(notLayout.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(StoreTest, GetListRemoveByNameAndId) {
  auto one = store_->ensure(ref("berth/busybox:1"), PullPolicy::kAlways, std::nullopt);
  auto latest = store_->ensure(ref("berth/busybox:latest"), PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(one && latest);
  EXPECT_EQ(one->id, latest->id);
  auto all = store_->list();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().names,
            (std::vector<std::string>{ref("berth/busybox:1"), ref("berth/busybox:latest")}));

  EXPECT_EQ(store_->get(one->id)->id, one->id);
  EXPECT_EQ(store_->get(one->id.substr(7, 12))->id, one->id);
  EXPECT_EQ(store_->get(ref("berth/busybox"))->id, one->id);  // tag defaults to latest

  ASSERT_TRUE(store_->remove(ref("berth/busybox:latest")));
  EXPECT_EQ(store_->get(one->id)->names, std::vector<std::string>{ref("berth/busybox:1")});
  EXPECT_EQ(store_->get(ref("berth/busybox:latest")).error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->remove(one->id.substr(7, 8)));
  EXPECT_EQ(store_->get(one->id).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->remove(one->id).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->list()->empty());
}

TEST_F(StoreTest, PruneRemovesWhatNothingReferences) {
  auto busybox = store_->ensure(ref("berth/busybox:1"), PullPolicy::kAlways, std::nullopt);
  auto httpd = store_->ensure(ref("berth/httpd:1"), PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(busybox && httpd);
  // httpd = busybox's layer + one more: the base layer is stored and unpacked once.
  EXPECT_EQ(httpd->layerDigests.front(), busybox->layerDigests.front());
  EXPECT_EQ(names(layersDir()).size(), 2u);
  EXPECT_EQ(store_->stats().layersUnpacked, 2u);

  // Named images survive a plain prune.
  auto none = store_->prune({}, false);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  ASSERT_TRUE(store_->remove(ref("berth/httpd:1")));
  auto pruned = store_->prune({}, false);
  ASSERT_TRUE(pruned) << pruned.error().message();
  EXPECT_TRUE(pruned->empty());  // removing the last name already removed the record
  std::string top = std::string(httpd->layerDigests.back()).substr(7);
  std::string base = std::string(busybox->layerDigests.front()).substr(7);
  EXPECT_EQ(names(layersDir()), std::vector<std::string>{base});
  auto blobs = names(blobsDir());
  EXPECT_EQ(blobs.size(), 3u);  // busybox manifest, config, layer
  EXPECT_EQ(std::count(blobs.begin(), blobs.end(), top), 0);
  EXPECT_EQ(std::count(blobs.begin(), blobs.end(), httpd->id.substr(7)), 0);

  // In use: kept even by prune --all.
  auto kept = store_->prune({busybox->id}, true);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->empty());
  EXPECT_TRUE(store_->layerDirs(*busybox));

  auto everything = store_->prune({}, true);
  ASSERT_TRUE(everything);
  EXPECT_EQ(*everything, std::vector<std::string>{busybox->id});
  EXPECT_TRUE(names(layersDir()).empty());
  EXPECT_TRUE(names(blobsDir()).empty());

  // A re-pull after a prune works (nothing stale left to confuse it).
  EXPECT_TRUE(store_->ensure(ref("berth/busybox:1"), PullPolicy::kIfNotPresent, std::nullopt));
}

TEST_F(StoreTest, RetaggedImageBecomesDanglingAndPrunable) {
  auto exit = store_->ensure(ref("berth/exit:1"), PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(exit);
  // Point the same name at another image by importing it under that name.
  fs::path archive = root_ / "retag.tar";
  ASSERT_TRUE(process::runChecked({"skopeo", "--insecure-policy", "copy", "-q",
                                   "oci:" + ociLayout().string() + ":memhog",
                                   "oci-archive:" + archive.string() + ":" + ref("berth/exit:1")}));
  auto imported = store_->importArchive(archive);
  ASSERT_TRUE(imported) << imported.error().message();
  EXPECT_EQ(store_->get(ref("berth/exit:1"))->id, imported->front().id);
  EXPECT_TRUE(store_->get(exit->id)->names.empty());
  auto pruned = store_->prune({}, false);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, std::vector<std::string>{exit->id});
}

TEST_F(StoreTest, OverlayRootfsHonoursWhiteouts) {
  auto image = store_->ensure(ref("berth/whiteout:1"), PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(image) << image.error().message();
  ASSERT_EQ(image->layerDigests.size(), 3u);
  auto dirs = store_->layerDirs(*image);
  ASSERT_TRUE(dirs);
  // The top layer holds overlay whiteouts for what it deleted.
  struct stat st {};
  ASSERT_EQ(::lstat((dirs->front() / "www/index.html").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));

  mountDir_ = root_ / "containers" / "c1";
  auto rootfs = mountRootfs(mountDir_, *dirs);
  ASSERT_TRUE(rootfs) << rootfs.error().message();
  EXPECT_TRUE(mounted(*rootfs));
  EXPECT_EQ(::access((*rootfs / "bin/busybox").c_str(), X_OK), 0);
  EXPECT_TRUE(fs::is_symlink(*rootfs / "bin/sh"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(*rootfs / "www/index.html")));  // whited out
  EXPECT_FALSE(fs::exists(fs::symlink_status(*rootfs / "bin/wget")));
  EXPECT_EQ(*files::read(*rootfs / "www/new.html"), "new\n");
  EXPECT_NE(files::read(*rootfs / "etc/passwd")->find("root:x:0:0"), std::string::npos);

  // Writes go to the container's upper dir, never into the shared layers.
  ASSERT_TRUE(files::writeAtomic(*rootfs / "tmp/x", "mine"));
  EXPECT_TRUE(fs::exists(mountDir_ / "upper/tmp/x"));
  for (const auto& d : *dirs) {
    EXPECT_FALSE(fs::exists(d / "tmp/x"));
  }

  ASSERT_TRUE(unmountRootfs(mountDir_));
  EXPECT_FALSE(mounted(*rootfs));
  EXPECT_FALSE(fs::exists(mountDir_));
  EXPECT_TRUE(unmountRootfs(mountDir_));  // idempotent
  EXPECT_TRUE(fs::exists(dirs->front()));
}

TEST_F(StoreTest, OverlayHonoursOpaqueDirectories) {
  using namespace testing;
  // Lower: d/{a,b}, e/x. Upper: d made opaque with a new d/c, e/x deleted.
  std::string lower =
      makeTar({dir("d"), file("d/a", "a"), file("d/b", "b"), file("e/x", "x")}, true);
  std::string upper =
      makeTar({dir("d"), file("d/.wh..wh..opq", ""), file("d/c", "c"), file("e/.wh.x", "")}, true);
  std::vector<fs::path> layers;
  for (auto [name, content] : {std::pair{"upper", upper}, {"lower", lower}}) {
    fs::path blob = root_ / (std::string(name) + ".tar.gz");
    ASSERT_TRUE(files::writeAtomic(blob, content));
    auto done = unpackLayerOnce(blob, root_ / "layers", name, "");
    ASSERT_TRUE(done) << done.error().message();
    layers.push_back(root_ / "layers" / name);
  }
  mountDir_ = root_ / "c2";
  auto rootfs = mountRootfs(mountDir_, layers);
  ASSERT_TRUE(rootfs) << rootfs.error().message();
  EXPECT_EQ(names(*rootfs / "d"), std::vector<std::string>{"c"});
  EXPECT_TRUE(names(*rootfs / "e").empty());
  ASSERT_TRUE(unmountRootfs(mountDir_));
}

TEST_F(StoreTest, MissingLayerDirIsUnpackedAgain) {
  auto image = store_->ensure(ref("berth/busybox:1"), PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(image);
  auto dirs = store_->layerDirs(*image);
  ASSERT_TRUE(dirs);
  ASSERT_TRUE(files::removeAll(dirs->front()));
  auto again = store_->layerDirs(*image);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(fs::exists(again->front() / "bin/busybox"));
  EXPECT_EQ(store_->stats().blobsFetched, 2u);

  // Layer and blob both gone: IfNotPresent pulls the image again instead of handing it out.
  ASSERT_TRUE(files::removeAll(again->front()));
  ASSERT_TRUE(files::removeAll(blobsDir() / image->layerDigests.front().substr(7)));
  auto repulled = store_->ensure(ref("berth/busybox:1"), PullPolicy::kIfNotPresent, std::nullopt);
  ASSERT_TRUE(repulled) << repulled.error().message();
  EXPECT_EQ(store_->stats().blobsFetched, 3u);
  EXPECT_TRUE(store_->layerDirs(*repulled));
}

}  // namespace
}  // namespace berth::image
