#pragma once

// Test helper: a one-layer OCI image built in memory, and a fake registry handler serving it.

#include <nlohmann/json.hpp>
#include <string>

#include "agent/image/manifest.h"
#include "base/sha256.h"
#include "unit/image/fake_registry.h"
#include "unit/image/tar_builder.h"

namespace berth::image::testing {

struct FakeImage {
  std::string layer;  // tar+gzip
  std::string layerDigest;
  std::string config;
  std::string configDigest;
  std::string manifest;
  std::string manifestDigest;
};

inline FakeImage makeFakeImage(const std::string& greeting = "hello") {
  std::vector<TarEntry> entries = {dir("bin"), file("bin/greeting", greeting)};
  FakeImage img;
  img.layer = makeTar(entries, true);
  img.layerDigest = Sha256::digestOf(img.layer);
  nlohmann::json config = {
      {"architecture", "amd64"},
      {"os", "linux"},
      {"config", {{"Cmd", {"/bin/cat", "/bin/greeting"}}, {"Env", {"PATH=/bin"}}}},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {Sha256::digestOf(makeTar(entries))}}}}};
  img.config = config.dump();
  img.configDigest = Sha256::digestOf(img.config);
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", kOciManifestType},
      {"config",
       {{"mediaType", "application/vnd.oci.image.config.v1+json"},
        {"digest", img.configDigest},
        {"size", img.config.size()}}},
      {"layers",
       nlohmann::json::array({{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                               {"digest", img.layerDigest},
                               {"size", img.layer.size()}}})}};
  img.manifest = manifest.dump();
  img.manifestDigest = Sha256::digestOf(img.manifest);
  return img;
}

// Answers the distribution API for repository `repo` (tag "1" and by digest) from `img`;
// anything else is a registry-style 404.
inline HttpReply serveImage(const FakeImage& img, const std::string& repo, const HttpCall& call) {
  std::string path = call.path();
  std::string prefix = "/v2/" + repo + "/";
  if (path == "/v2/") {
    return {200, {}, "{}"};
  }
  if (path == prefix + "manifests/1" || path == prefix + "manifests/" + img.manifestDigest) {
    return {200,
            {{"Content-Type", std::string(kOciManifestType)},
             {"Docker-Content-Digest", img.manifestDigest}},
            img.manifest};
  }
  if (path == prefix + "blobs/" + img.configDigest) {
    return {200, {}, img.config};
  }
  if (path == prefix + "blobs/" + img.layerDigest) {
    return {200, {}, img.layer};
  }
  return {404,
          {{"Content-Type", "application/json"}},
          R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})"};
}

}  // namespace berth::image::testing
