#include "agent/network/cni_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "base/random.h"

namespace berth::network {
namespace {

TEST(CniCacheTest, RoundTrips) {
  NetworkConfig config;
  CniCache cache{"pod1",
                 "/pods/1/ns/net",
                 buildPluginChain(config, {{.hostPort = 80, .containerPort = 8080}}),
                 {{"eth0", nlohmann::json{{"ips", nlohmann::json::array()}}}}};
  auto back = decodeCache(encodeCache(cache));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->containerId, "pod1");
  EXPECT_EQ(back->netns, "/pods/1/ns/net");
  ASSERT_EQ(back->chain.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back->chain[i].type, cache.chain[i].type);
    EXPECT_EQ(back->chain[i].ifname, cache.chain[i].ifname);
    EXPECT_EQ(back->chain[i].config, cache.chain[i].config);
  }
  EXPECT_EQ(back->results, cache.results);
}

TEST(CniCacheTest, CorruptOrForeignTextIsDataLoss) {
  EXPECT_EQ(decodeCache("{").error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(decodeCache(R"({"version":2})").error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(decodeCache(R"({"version":1,"chain":[]})").error().code(), ErrorCode::kDataLoss);
}

TEST(CniCacheTest, SaveAndLoad) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cni-cache-" + randomHex(4));
  EXPECT_EQ(loadCache(dir / "cni.json").error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(saveCache(dir / "cni.json", CniCache{"p", "/n", {}, {}}));
  auto loaded = loadCache(dir / "cni.json");
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->containerId, "p");
  ASSERT_TRUE(files::writeAtomic(dir / "cni.json", "garbage"));
  EXPECT_EQ(loadCache(dir / "cni.json").error().code(), ErrorCode::kDataLoss);
  files::removeAll(dir);
}

}  // namespace
}  // namespace berth::network
