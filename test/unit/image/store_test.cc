// ImageStore against fake registries: auth flows and digest verification that the real
// docker-registry cannot be made to exercise.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "agent/image/image_store.h"
#include "base/files.h"
#include "base/random.h"
#include "unit/image/fake_image.h"

namespace berth::image {
namespace {

namespace fs = std::filesystem;
using namespace testing;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "unpacking layers keeps owners: root";
    root_ = fs::temp_directory_path() / ("berth-store-" + randomHex(6));
  }
  void TearDown() override { (void)files::removeAll(root_); }

  ImageStorePtr store(const std::string& insecure) {
    RegistryOptions options;
    options.insecureRegistries = {insecure};
    return makeImageStore(root_, options, clock_);
  }

  // Nothing of a failed pull may remain: no image, no blob, no layer, no temporary.
  void expectNothingStored(ImageStore& s) {
    EXPECT_TRUE(s.list()->empty());
    for (const char* sub : {"blobs/sha256", "layers"}) {
      auto names = files::listDir(root_ / sub);
      for (const auto& n : *names) {
        ADD_FAILURE() << "left in " << sub << ": " << n;
      }
    }
  }

  fs::path root_;
  RealClock clock_;
};

TEST_F(StoreTest, BearerTokenFlow) {
  FakeImage img = makeFakeImage();
  std::atomic<int> tokenRequests{0};
  std::string tokenQuery;
  std::string registry;
  FakeHttpServer server([&](const HttpCall& call) -> HttpReply {
    if (call.path() == "/token") {
      tokenRequests++;
      tokenQuery = call.target;
      if (call.headers.count("authorization") == 0 ||
          call.headers.at("authorization") != "Basic YmVydGg6czNjcmV0") {
        return {401, {}, R"({"errors":[{"code":"UNAUTHORIZED"}]})"};
      }
      return {200, {}, R"({"token":"tok-123","expires_in":60})"};
    }
    auto auth = call.headers.find("authorization");
    if (auth == call.headers.end() || auth->second != "Bearer tok-123") {
      return {
          401,
          {{"WWW-Authenticate", "Bearer realm=\"http://" + registry +
                                    "/token\",service=\"fake\",scope=\"repository:t/img:pull\""}},
          R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"};
    }
    return serveImage(img, "t/img", call);
  });
  registry = server.address();
  auto s = store(registry);

  auto anonymous = s->ensure(registry + "/t/img:1", PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(anonymous.error().message().starts_with("pull '" + registry + "/t/img:1': "));

  auto image =
      s->ensure(registry + "/t/img:1", PullPolicy::kAlways, Credentials{"berth", "s3cret"});
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->id, img.configDigest);
  EXPECT_EQ(image->manifestDigest, img.manifestDigest);
  EXPECT_EQ(image->config.cmd, (std::vector<std::string>{"/bin/cat", "/bin/greeting"}));
  EXPECT_EQ(tokenQuery, "/token?service=fake&scope=repository%3At%2Fimg%3Apull");
  EXPECT_EQ(tokenRequests.load(), 2);  // once refused (anonymous), once granted; then cached
  auto dirs = s->layerDirs(*image);
  ASSERT_TRUE(dirs);
  EXPECT_EQ(*files::read(dirs->at(0) / "bin/greeting"), "hello");
}

TEST_F(StoreTest, CorruptBlobIsDataLossAndNothingIsStored) {
  FakeImage img = makeFakeImage();
  FakeHttpServer server([&](const HttpCall& call) {
    HttpReply r = serveImage(img, "t/img", call);
    if (call.path().ends_with(img.layerDigest)) {
      r.body[r.body.size() / 2] ^= 0x01;  // one flipped bit in transit
    }
    return r;
  });
  auto s = store(server.address());
  auto image = s->ensure(server.address() + "/t/img:1", PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(image.error().message().find("digest mismatch"), std::string::npos)
      << image.error().message();
  // The manifest and config passed verification but no image references them: prune removes
  // them; the corrupt layer never entered the store.
  EXPECT_FALSE(files::exists(root_ / "blobs/sha256" / img.layerDigest.substr(7)));
  EXPECT_TRUE(s->list()->empty());
  ASSERT_TRUE(s->prune({}, false));
  expectNothingStored(*s);
}

TEST_F(StoreTest, ManifestDigestMismatch) {
  FakeImage img = makeFakeImage();
  FakeImage other = makeFakeImage("tampered");
  FakeHttpServer server([&](const HttpCall& call) {
    HttpReply r = serveImage(img, "t/img", call);
    if (call.path() == "/v2/t/img/manifests/1") {
      // The registry claims one digest and serves another manifest.
      r.body = other.manifest;
    }
    if (call.path() == "/v2/t/img/manifests/" + img.manifestDigest) {
      r.body = other.manifest;
      r.headers = {{"Content-Type", std::string(kOciManifestType)}};
    }
    return r;
  });
  auto s = store(server.address());
  auto byTag = s->ensure(server.address() + "/t/img:1", PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(byTag);
  EXPECT_EQ(byTag.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(byTag.error().message().find("registry says"), std::string::npos);

  auto byDigest = s->ensure(server.address() + "/t/img@" + img.manifestDigest,
                            PullPolicy::kIfNotPresent, std::nullopt);
  ASSERT_FALSE(byDigest);
  EXPECT_EQ(byDigest.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(byDigest.error().message().find("expected '" + img.manifestDigest + "'"),
            std::string::npos);
  expectNothingStored(*s);
}

TEST_F(StoreTest, RegistryErrorsMapToCodes) {
  FakeImage img = makeFakeImage();
  FakeHttpServer server([&](const HttpCall& call) -> HttpReply {
    if (call.path().find("/broken/") != std::string::npos) {
      return {503, {}, "overloaded"};
    }
    return serveImage(img, "t/img", call);
  });
  auto s = store(server.address());
  auto missing =
      s->ensure(server.address() + "/t/img:nope", PullPolicy::kIfNotPresent, std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message(),
            "pull '" + server.address() +
                "/t/img:nope': manifest 'nope': 404 MANIFEST_UNKNOWN: manifest unknown");

  auto broken = s->ensure(server.address() + "/broken/x:1", PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code(), ErrorCode::kUnavailable);

  // A registry that is not listed as insecure is spoken to over HTTPS: this one cannot.
  auto secure = makeImageStore(root_, {}, clock_)
                    ->ensure(server.address() + "/t/img:1", PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(secure);
  EXPECT_EQ(secure.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(secure.error().message().find("https://"), std::string::npos);
}

TEST_F(StoreTest, RefusedConnectionIsUnavailable) {
  std::string address;
  {
    FakeHttpServer gone([](const HttpCall&) { return HttpReply{}; });
    address = gone.address();
  }
  auto s = store(address);
  auto image = s->ensure(address + "/t/img:1", PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code(), ErrorCode::kUnavailable);
}

TEST_F(StoreTest, PolicyNeverAndInvalidReference) {
  auto s = store("unused:1");
  auto never = s->ensure("127.0.0.1:1/x:1", PullPolicy::kNever, std::nullopt);
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(never.error().message(),
            "image '127.0.0.1:1/x:1' is not present with pull policy of Never");
  auto bad = s->ensure("Not/Valid", PullPolicy::kAlways, std::nullopt);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s->stats().registryRequests, 0u);
}

}  // namespace
}  // namespace berth::image
