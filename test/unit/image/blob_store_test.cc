#include "agent/image/blob_store.h"

#include <gtest/gtest.h>

#include "agent/image/image_record.h"
#include "base/files.h"
#include "base/random.h"
#include "base/sha256.h"

namespace berth::image {
namespace {

namespace fs = std::filesystem;

TEST(BlobStoreTest, PutVerifiesDigest) {
  fs::path dir = fs::temp_directory_path() / ("berth-blobs-" + randomHex(6));
  BlobStore blobs(dir);
  std::string digest = Sha256::digestOf("content");
  auto bad = blobs.put(digest, "c0ntent");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kDataLoss);
  EXPECT_FALSE(blobs.has(digest));

  ASSERT_TRUE(blobs.put(digest, "content"));
  EXPECT_TRUE(blobs.has(digest));
  EXPECT_EQ(*blobs.read(digest), "content");
  EXPECT_EQ(*blobs.list(), std::vector<std::string>{digest});
  EXPECT_EQ(blobs.read(Sha256::digestOf("other")).error().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(blobs.has("sha256:../../etc/passwd"));
  ASSERT_TRUE(files::removeAll(dir));
}

TEST(ImageRecordTest, RoundTrip) {
  StoredImage r;
  r.image.id = Sha256::digestOf("config");
  r.image.manifestDigest = Sha256::digestOf("manifest");
  r.image.names = {"127.0.0.1:5000/a:1", "127.0.0.1:5000/a:latest"};
  r.image.config.entrypoint = {"/bin/sh", "-c"};
  r.image.config.cmd = {"echo"};
  r.image.config.env = {"PATH=/bin"};
  r.image.config.workingDir = "/w";
  r.image.config.user = "65534";
  r.image.config.labels = {{"k", "v"}};
  r.image.layerDigests = {Sha256::digestOf("layer")};
  r.image.size = 1234;
  r.image.created = "2026-11-29T05:00:00Z";
  r.diffIds = {Sha256::digestOf("diff")};
  auto back = decodeRecord(encodeRecord(r));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->image.id, r.image.id);
  EXPECT_EQ(back->image.names, r.image.names);
  EXPECT_EQ(back->image.config.entrypoint, r.image.config.entrypoint);
  EXPECT_EQ(back->image.config.labels, r.image.config.labels);
  EXPECT_EQ(back->image.config.user, "65534");
  EXPECT_EQ(back->image.layerDigests, r.image.layerDigests);
  EXPECT_EQ(back->image.size, 1234);
  EXPECT_EQ(back->diffIds, r.diffIds);
  EXPECT_EQ(decodeRecord("{}").error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(decodeRecord("garbage").error().code(), ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace berth::image
