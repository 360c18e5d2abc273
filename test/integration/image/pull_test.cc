// Pulls from the real docker-registry of scripts/test-registry.

#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "integration/image/image_fixture.h"

namespace berth::image {
namespace {

using testing::ImageStoreFixture;
namespace fs = std::filesystem;

class PullTest : public ImageStoreFixture {};

TEST_F(PullTest, PullsOciImage) {
  auto image = store_->ensure(ref("berth/busybox:1"), PullPolicy::kIfNotPresent, std::nullopt);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_TRUE(image->id.starts_with("sha256:"));
  EXPECT_EQ(image->names, std::vector<std::string>{ref("berth/busybox:1")});
  EXPECT_EQ(image->config.cmd, std::vector<std::string>{"/bin/sh"});
  EXPECT_TRUE(image->config.entrypoint.empty());
  EXPECT_EQ(image->config.env, std::vector<std::string>{"PATH=/bin:/usr/bin"});
  ASSERT_EQ(image->layerDigests.size(), 1u);
  EXPECT_GT(image->size, 500000);
  EXPECT_EQ(store_->stats().blobsFetched, 2u);  // config + layer

  auto dirs = store_->layerDirs(*image);
  ASSERT_TRUE(dirs) << dirs.error().message();
  ASSERT_EQ(dirs->size(), 1u);
  fs::path layer = dirs->front();
  EXPECT_EQ(::access((layer / "bin/busybox").c_str(), X_OK), 0);
  EXPECT_EQ(fs::read_symlink(layer / "bin/sh"), "/bin/busybox");
  EXPECT_NE(files::read(layer / "etc/passwd")->find("nobody:x:65534:65534"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::lstat((layer / "tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
}

TEST_F(PullTest, PullsDockerSchema2Image) {
  auto image = store_->ensure(ref("berth/busybox-v2s2:1"), PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->config.cmd, std::vector<std::string>{"/bin/sh"});
  auto [body, digest] = fetchManifest("berth/busybox-v2s2", "1");
  EXPECT_NE(body.find("application/vnd.docker.distribution.manifest.v2+json"), std::string::npos);
  EXPECT_EQ(image->manifestDigest, digest);
  auto dirs = store_->layerDirs(*image);
  ASSERT_TRUE(dirs);
  EXPECT_TRUE(fs::exists(dirs->front() / "bin/busybox"));
}

TEST_F(PullTest, PullsByDigest) {
  auto [body, digest] = fetchManifest("berth/httpd", "1");
  auto image =
      store_->ensure(ref("berth/httpd@" + digest), PullPolicy::kIfNotPresent, std::nullopt);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->manifestDigest, digest);
  EXPECT_EQ(image->config.entrypoint,
            (std::vector<std::string>{"/bin/httpd", "-f", "-p", "80", "-h", "/www"}));
  ASSERT_EQ(image->layerDigests.size(), 2u);
  auto dirs = store_->layerDirs(*image);
  ASSERT_TRUE(dirs);
  EXPECT_EQ(*files::read(dirs->front() / "www/index.html"), "hello from berth\n");  // top first
  EXPECT_TRUE(store_->get(ref("berth/httpd@" + digest)));

  std::string absent = "sha256:" + std::string(64, '0');
  auto missing = store_->ensure(ref("berth/httpd@" + absent), PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

TEST_F(PullTest, ChoosesAmd64FromIndex) {
  // A repository of our own with an index whose first entry is arm64.
  std::string repo = "berth/idx-" + randomHex(4);
  for (auto [src, tag] : {std::pair{"berth/busybox:1", "amd64"}, {"berth/httpd:1", "arm64"}}) {
    auto copied = process::runChecked(
        {"skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
         "--dest-tls-verify=false", "docker://" + ref(src), "docker://" + ref(repo + ":" + tag)});
    ASSERT_TRUE(copied) << copied.error().message();
  }
  auto [amdBody, amdDigest] = fetchManifest(repo, "amd64");
  auto [armBody, armDigest] = fetchManifest(repo, "arm64");
  nlohmann::json index = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.index.v1+json"},
      {"manifests",
       {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
         {"digest", armDigest},
         {"size", armBody.size()},
         {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}},
        {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
         {"digest", amdDigest},
         {"size", amdBody.size()},
         {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}};
  process::Options put;
  put.input = index.dump();
  auto pushed = process::run(
      {"curl", "-sf", "-X", "PUT", "-H", "Content-Type: application/vnd.oci.image.index.v1+json",
       "--data-binary", "@-", "http://" + registry_ + "/v2/" + repo + "/manifests/multi"},
      put);
  ASSERT_TRUE(pushed && pushed->succeeded()) << (pushed ? pushed->describe() : "");

  auto image = store_->ensure(ref(repo + ":multi"), PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->manifestDigest, amdDigest);
  EXPECT_EQ(image->config.cmd, std::vector<std::string>{"/bin/sh"});  // busybox, not httpd
  EXPECT_EQ(image->layerDigests.size(), 1u);
}

TEST_F(PullTest, ConcurrentEnsureDownloadsOnce) {
  std::vector<Result<Image>> results(4, fail(ErrorCode::kInternal, "not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); i++) {
    threads.emplace_back([&, i] {
      results[i] = store_->ensure(ref("berth/httpd:1"), PullPolicy::kAlways, std::nullopt);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->id, results[0]->id);
  }
  EXPECT_EQ(store_->stats().blobsFetched, 3u);  // config + 2 layers, once
  EXPECT_EQ(store_->stats().layersUnpacked, 2u);
  EXPECT_EQ(store_->list()->size(), 1u);
}

TEST_F(PullTest, IfNotPresentDoesNotContactTheRegistry) {
  ASSERT_TRUE(store_->ensure(ref("berth/exit:1"), PullPolicy::kIfNotPresent, std::nullopt));
  PullStats first = store_->stats();
  EXPECT_GT(first.registryRequests, 0u);

  auto again = store_->ensure(ref("berth/exit:1"), PullPolicy::kIfNotPresent, std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->config.env, (std::vector<std::string>{"PATH=/bin:/usr/bin", "EXIT_CODE=3"}));
  EXPECT_EQ(store_->stats().registryRequests, first.registryRequests);
  ASSERT_TRUE(store_->ensure(ref("berth/exit:1"), PullPolicy::kNever, std::nullopt));
  EXPECT_EQ(store_->stats().registryRequests, first.registryRequests);

  // Always asks the registry for the manifest but downloads nothing it already has.
  ASSERT_TRUE(store_->ensure(ref("berth/exit:1"), PullPolicy::kAlways, std::nullopt));
  EXPECT_GT(store_->stats().registryRequests, first.registryRequests);
  EXPECT_EQ(store_->stats().blobsFetched, first.blobsFetched);

  // Another store on the same root (e.g. `berth image` next to the agent) sees the image.
  auto other = makeStore();
  ASSERT_TRUE(other->ensure(ref("berth/exit:1"), PullPolicy::kNever, std::nullopt));
  EXPECT_EQ(other->stats().registryRequests, 0u);
}

TEST_F(PullTest, NeverAndMissingImages) {
  auto never = store_->ensure(ref("berth/busybox:1"), PullPolicy::kNever, std::nullopt);
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(never.error().message(),
            "image '" + ref("berth/busybox:1") + "' is not present with pull policy of Never");

  auto tag = store_->ensure(ref("berth/busybox:nope"), PullPolicy::kIfNotPresent, std::nullopt);
  ASSERT_FALSE(tag);
  EXPECT_EQ(tag.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(tag.error().message(),
            "pull '" + ref("berth/busybox:nope") +
                "': manifest 'nope': 404 MANIFEST_UNKNOWN: manifest unknown");

  auto repo = store_->ensure(ref("berth/no-such-repo:1"), PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(repo);
  EXPECT_EQ(repo.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->list()->empty());
}

TEST_F(PullTest, BasicAuthRegistry) {
  std::string image = authRegistry_ + "/berth/busybox:1";
  auto anonymous = store_->ensure(image, PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(anonymous.error().message().find("requires credentials"), std::string::npos);

  auto wrong = store_->ensure(image, PullPolicy::kAlways, Credentials{"berth", "wrong"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);

  auto pulled = store_->ensure(
      image, PullPolicy::kAlways,
      Credentials{berth::testing::kTestRegistryUser, berth::testing::kTestRegistryPassword});
  ASSERT_TRUE(pulled) << pulled.error().message();
  EXPECT_EQ(pulled->config.cmd, std::vector<std::string>{"/bin/sh"});

  // Credentials configured per registry are used when the caller passes none.
  RegistryOptions options;
  options.credentials[authRegistry_] = Credentials{"berth", "s3cret"};
  auto configured = makeStore(options)->ensure(image, PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(configured) << configured.error().message();
}

}  // namespace
}  // namespace berth::image

namespace berth::image {
namespace {

class TlsPullTest : public testing::ImageStoreFixture {
 protected:
  std::string image() const { return berth::testing::testTlsRegistry() + "/berth/busybox:1"; }
};

TEST_F(TlsPullTest, VerifiesCertificatesByDefault) {
  // Self-signed and not in the system store: refused.
  auto unverified = store_->ensure(image(), PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(unverified);
  EXPECT_EQ(unverified.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(unverified.error().message().find("https://"), std::string::npos);

  RegistryOptions options;
  options.caFile = berth::testing::testTlsCaFile();
  auto verified = makeStore(options)->ensure(image(), PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(verified->config.cmd, std::vector<std::string>{"/bin/sh"});
}

TEST_F(TlsPullTest, InsecureRegistryFallsBackToUnverifiedHttps) {
  RegistryOptions options;
  options.insecureRegistries.insert(berth::testing::testTlsRegistry());
  auto image = makeStore(options)->ensure(this->image(), PullPolicy::kAlways, std::nullopt);
  ASSERT_TRUE(image) << image.error().message();
}

}  // namespace
}  // namespace berth::image
