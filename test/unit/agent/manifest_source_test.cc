#include "agent/manifest_source.h"

#include <gtest/gtest.h>

#include "base/files.h"
#include "base/random.h"

namespace berth::agent {
namespace {

class ManifestScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("berth-manifests-" + randomHex(6));
  }
  void TearDown() override { (void)files::removeAll(dir_); }
  void write(const std::string& name, const std::string& text) {
    ASSERT_TRUE(files::writeAtomic(dir_ / name, text));
  }
  const DesiredPod* find(const std::vector<DesiredPod>& pods, const std::string& name) {
    for (const auto& p : pods) {
      if (p.pod.metadata.name == name) {
        return &p;
      }
    }
    return nullptr;
  }
  std::filesystem::path dir_;
};

constexpr char kGood[] = R"(apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: main, image: "reg:5000/httpd:1"}]
)";

TEST_F(ManifestScanTest, ValidPodsAreDefaultedAndGetStableUids) {
  write("web.yaml", kGood);
  write("notes.txt", "not a manifest");
  write(".web.yaml.swp", "editor temporary");
  auto pods = ManifestSource::scan(dir_);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_TRUE(pods[0].invalidMessage.empty());
  EXPECT_EQ(pods[0].pod.metadata.namespace_, "default");
  EXPECT_EQ(pods[0].pod.spec.restartPolicy, "Always");
  EXPECT_EQ(pods[0].pod.metadata.uid.size(), 36u);
  EXPECT_EQ(ManifestSource::scan(dir_)[0].pod.metadata.uid, pods[0].pod.metadata.uid);
  write("web.yaml", std::string(kGood) + "  restartPolicy: Never\n");
  EXPECT_NE(ManifestSource::scan(dir_)[0].pod.metadata.uid, pods[0].pod.metadata.uid);
}

TEST_F(ManifestScanTest, InvalidManifestsBecomePodsThatSayWhy) {
  write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: []}\n");
  write("typed.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: off}\nspec: {}\n");
  write("broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: [\n");
  auto pods = ManifestSource::scan(dir_);
  ASSERT_EQ(pods.size(), 3u);
  auto* bad = find(pods, "bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_NE(bad->invalidMessage.find("spec.containers: Required value"), std::string::npos)
      << bad->invalidMessage;
  // YAML reads `off` as a boolean: the pod is named after its file and says what is wrong.
  auto* typed = find(pods, "typed");
  ASSERT_NE(typed, nullptr);
  EXPECT_NE(typed->invalidMessage.find("metadata.name"), std::string::npos)
      << typed->invalidMessage;
  auto* broken = find(pods, "broken");
  ASSERT_NE(broken, nullptr);
  EXPECT_NE(broken->invalidMessage.find("broken.yaml: yaml"), std::string::npos)
      << broken->invalidMessage;
}

TEST_F(ManifestScanTest, CacheReusesUnchangedFilesAndSeesChanges) {
  write("web.yaml", kGood);
  ManifestSource::Cache cache;
  auto first = ManifestSource::scan(dir_, &cache);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(cache.size(), 1u);
  // A poisoned cache entry with the same identity is what scan returns: it did not re-read.
  cache["web.yaml"].pods[0].pod.metadata.name = "from-cache";
  EXPECT_EQ(ManifestSource::scan(dir_, &cache)[0].pod.metadata.name, "from-cache");
  write("web.yaml", std::string(kGood) + "  restartPolicy: Never\n");  // new inode
  auto changed = ManifestSource::scan(dir_, &cache);
  EXPECT_EQ(changed[0].pod.metadata.name, "web");
  EXPECT_EQ(changed[0].pod.spec.restartPolicy, "Never");
  std::filesystem::remove(dir_ / "web.yaml");
  EXPECT_TRUE(ManifestSource::scan(dir_, &cache).empty());
  EXPECT_TRUE(cache.empty());
}

TEST_F(ManifestScanTest, DuplicateNamesAreRejected) {
  write("a.yaml", kGood);
  write("b.yaml", kGood);
  auto pods = ManifestSource::scan(dir_);
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_TRUE(pods[0].invalidMessage.empty());
  EXPECT_EQ(pods[1].invalidMessage, "pod 'default/web' is already defined in 'a.yaml'");
}

}  // namespace
}  // namespace berth::agent
