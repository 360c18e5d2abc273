#pragma once

// Integration fixture for the image store: a private store root per test (tests run in
// parallel) using the shared local registries of scripts/test-registry.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "agent/image/image_store.h"
#include "base/files.h"
#include "base/process.h"
#include "base/random.h"
#include "base/sha256.h"
#include "support/test_registry.h"

namespace berth::image::testing {

namespace fs = std::filesystem;

class ImageStoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "integration tests run as root";
    root_ = fs::path("/tmp") / ("berth-image-it-" + randomHex(5));
    registry_ = berth::testing::testRegistry();
    authRegistry_ = berth::testing::testAuthRegistry();
    store_ = makeStore();
  }

  void TearDown() override {
    store_.reset();
    if (!HasFailure()) {
      (void)files::removeAll(root_);
    } else {
      std::cerr << "(store root kept at " << root_ << ")\n";
    }
  }

  ImageStorePtr makeStore(RegistryOptions options = {}) {
    options.insecureRegistries.insert(registry_);
    options.insecureRegistries.insert(authRegistry_);
    return makeImageStore(root_ / "images", std::move(options), clock_);
  }

  std::string ref(const std::string& repoTag) const { return registry_ + "/" + repoTag; }

  // The OCI layout the registry was filled from.
  static fs::path ociLayout() {
    const char* dir = std::getenv("BERTH_TEST_REGISTRY_DIR");
    return fs::path(dir == nullptr ? "" : dir) / "images" / "oci";
  }

  // A manifest as the registry serves it, and its digest.
  std::pair<std::string, std::string> fetchManifest(const std::string& repo,
                                                    const std::string& tag) {
    auto out = process::runChecked({"curl", "-sf", "-H",
                                    "Accept: application/vnd.oci.image.manifest.v1+json", "-H",
                                    "Accept: application/vnd.docker.distribution.manifest.v2+json",
                                    "http://" + registry_ + "/v2/" + repo + "/manifests/" + tag});
    EXPECT_TRUE(out) << (out ? "" : out.error().message());
    std::string body = out ? out->out : "";
    return {body, Sha256::digestOf(body)};
  }

  fs::path layersDir() const { return root_ / "images" / "layers"; }
  fs::path blobsDir() const { return root_ / "images" / "blobs" / "sha256"; }

  RealClock clock_;
  fs::path root_;
  std::string registry_;
  std::string authRegistry_;
  ImageStorePtr store_;
};

}  // namespace berth::image::testing
