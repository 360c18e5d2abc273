#include <gtest/gtest.h>

#include "agent/node_registration.h"

namespace berth::agent {
namespace {

image::Image stored(std::string id, std::vector<std::string> names, int64_t size) {
  image::Image image;
  image.id = std::move(id);
  image.names = std::move(names);
  image.size = size;
  return image;
}

TEST(NodeImagesTest, LargestFirstAndUnnamedByIdAndCapped) {
  std::vector<image::Image> images = {
      stored("sha256:a", {"reg/small:1"}, 10),
      stored("sha256:b", {}, 30),
      stored("sha256:c", {"reg/big:1", "reg/big:latest"}, 50),
  };
  auto listed = nodeImages(images);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0], (NodeImage{{"reg/big:1", "reg/big:latest"}, 50}));
  EXPECT_EQ(listed[1], (NodeImage{{"sha256:b"}, 30}));
  EXPECT_EQ(listed[2], (NodeImage{{"reg/small:1"}, 10}));
  EXPECT_EQ(nodeImages(images, 2).size(), 2u);

  std::vector<image::Image> many;
  for (int i = 0; i < 60; ++i) {
    many.push_back(stored("sha256:" + std::to_string(i), {"reg/i:" + std::to_string(i)}, i));
  }
  auto capped = nodeImages(many);
  ASSERT_EQ(capped.size(), kMaxNodeImages);
  EXPECT_EQ(capped.front().sizeBytes, 59);
  EXPECT_EQ(capped.back().sizeBytes, 10);
}

TEST(NodeImagesTest, BuildNodeListsTheImagesInKubeletShape) {
  NodeInputs in;
  in.nodeName = "n1";
  in.images = std::vector<NodeImage>{{{"reg/app:1"}, 1234}};
  auto node = buildNode(in, "2026-01-01T00:00:00Z");
  ASSERT_TRUE(node["status"]["images"].is_array());
  ASSERT_EQ(node["status"]["images"].size(), 1u);
  EXPECT_EQ(node["status"]["images"][0]["names"], nlohmann::json::array({"reg/app:1"}));
  EXPECT_EQ(node["status"]["images"][0]["sizeBytes"], 1234);
  in.images->clear();
  EXPECT_EQ(buildNode(in, "2026-01-01T00:00:00Z")["status"]["images"], nlohmann::json::array());
  // Without images of its own the node leaves status.images to others.
  in.images.reset();
  EXPECT_FALSE(buildNode(in, "2026-01-01T00:00:00Z")["status"].contains("images"));
}

}  // namespace
}  // namespace berth::agent
