#include "agent/image/manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace berth::image {
namespace {

using json = nlohmann::json;

std::string digest(char c) {
  return "sha256:" + std::string(64, c);
}

json entry(const std::string& arch, const std::string& variant, char d) {
  json p = {{"os", "linux"}, {"architecture", arch}};
  if (!variant.empty()) {
    p["variant"] = variant;
  }
  return {{"mediaType", kOciManifestType}, {"digest", digest(d)}, {"size", 10}, {"platform", p}};
}

TEST(ManifestTest, MediaTypeFromContentTypeBodyOrShape) {
  EXPECT_EQ(*manifestMediaType("{}", "application/vnd.oci.image.manifest.v1+json; charset=utf-8"),
            kOciManifestType);
  EXPECT_EQ(*manifestMediaType(
                R"({"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"})",
                "application/json"),
            kDockerManifestListType);
  EXPECT_EQ(*manifestMediaType(R"({"schemaVersion":2,"manifests":[]})", ""), kOciIndexType);
  EXPECT_EQ(*manifestMediaType(R"({"schemaVersion":2,"config":{},"layers":[]})", ""),
            kOciManifestType);
  auto v1 = manifestMediaType(
      R"({"schemaVersion":1,"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws"})",
      "application/vnd.docker.distribution.manifest.v1+prettyjws");
  ASSERT_FALSE(v1);
  EXPECT_EQ(v1.error().message(),
            "unsupported manifest media type "
            "'application/vnd.docker.distribution.manifest.v1+prettyjws'");
  EXPECT_EQ(manifestAcceptTypes().size(), 4u);
}

TEST(ManifestTest, ParsesManifestAndRejectsForeignLayers) {
  json m = {
      {"schemaVersion", 2},
      {"mediaType", kDockerManifestType},
      {"config",
       {{"mediaType", "application/vnd.docker.container.image.v1+json"},
        {"digest", digest('c')},
        {"size", 5}}},
      {"layers", json::array({{{"mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip"},
                               {"digest", digest('1')},
                               {"size", 100}},
                              {{"mediaType", "application/vnd.oci.image.layer.v1.tar+zstd"},
                               {"digest", digest('2')},
                               {"size", 200}}})}};
  auto parsed = parseManifest(m.dump());
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->config.digest, digest('c'));
  ASSERT_EQ(parsed->layers.size(), 2u);
  EXPECT_EQ(parsed->layers[1].size, 200);

  m["layers"][0]["mediaType"] = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
  auto foreign = parseManifest(m.dump());
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message().find("unsupported media type"), std::string::npos);

  m["layers"][0]["mediaType"] = "application/vnd.oci.image.layer.v1.tar";
  m["layers"][0]["digest"] = "sha256:short";
  EXPECT_EQ(parseManifest(m.dump()).error().message(),
            "malformed manifest layer: invalid digest 'sha256:short'");
  EXPECT_FALSE(parseManifest("[]"));
  EXPECT_FALSE(parseManifest(R"({"layers":[]})"));
}

TEST(ManifestTest, SelectsLinuxAmd64FromIndex) {
  json idx = {{"schemaVersion", 2},
              {"mediaType", kOciIndexType},
              {"manifests", json::array({entry("arm64", "v8", 'a'), entry("amd64", "v2", 'b'),
                                         entry("amd64", "", 'c'), entry("s390x", "", 'd')})}};
  auto index = parseIndex(idx.dump());
  ASSERT_TRUE(index);
  auto chosen = selectPlatform(*index, "linux", "amd64");
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->digest, digest('c'));  // the plain amd64 entry over a variant

  auto arm = selectPlatform(*index, "linux", "arm64");
  ASSERT_TRUE(arm);
  EXPECT_EQ(arm->digest, digest('a'));

  json only = {{"schemaVersion", 2}, {"manifests", json::array({entry("arm64", "v8", 'a')})}};
  auto missing = selectPlatform(*parseIndex(only.dump()), "linux", "amd64");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message(),
            "no manifest for platform linux/amd64 in index (it has: linux/arm64/v8)");
}

TEST(ManifestTest, ParsesConfig) {
  json c = {{"architecture", "amd64"},
            {"os", "linux"},
            {"config",
             {{"Entrypoint", {"/bin/sh", "-c"}},
              {"Cmd", {"echo hi"}},
              {"Env", {"PATH=/bin", "A=b"}},
              {"WorkingDir", "/work"},
              {"User", "65534:65534"},
              {"Labels", {{"k", "v"}}}}},
            {"rootfs", {{"type", "layers"}, {"diff_ids", {digest('1'), digest('2')}}}}};
  auto parsed = parseConfig(c.dump());
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->config.entrypoint, (std::vector<std::string>{"/bin/sh", "-c"}));
  EXPECT_EQ(parsed->config.cmd, (std::vector<std::string>{"echo hi"}));
  EXPECT_EQ(parsed->config.env.size(), 2u);
  EXPECT_EQ(parsed->config.workingDir, "/work");
  EXPECT_EQ(parsed->config.user, "65534:65534");
  EXPECT_EQ(parsed->config.labels.at("k"), "v");
  EXPECT_EQ(parsed->diffIds.size(), 2u);
  EXPECT_EQ(parsed->platform.architecture, "amd64");

  json nullConfig = {{"config", nullptr}, {"rootfs", {{"diff_ids", json::array()}}}};
  EXPECT_TRUE(parseConfig(nullConfig.dump()));
  EXPECT_EQ(parseConfig(R"({"config":{}})").error().message(),
            "malformed image config: missing rootfs");
}

TEST(ManifestTest, DigestValidation) {
  EXPECT_TRUE(isValidDigest(digest('a')));
  EXPECT_FALSE(isValidDigest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(isValidDigest("sha512:" + std::string(64, 'a')));
  EXPECT_FALSE(isValidDigest("sha256:" + std::string(63, 'a')));
  EXPECT_EQ(digestHex(digest('f')), std::string(64, 'f'));
}

}  // namespace
}  // namespace berth::image
