// `berth image` as a user runs it: import an archive (for machines with no registry), list,
// run a pod from the imported image with pull policy Never, remove and prune.

#include <gtest/gtest.h>

#include "support/agent_fixture.h"

namespace berth::testing {
namespace {

class ImageCliTest : public AgentFixture {
 protected:
  process::Outcome berth(std::vector<std::string> args) {
    args.insert(args.begin(), berthBinary());
    args.push_back("--root");
    args.push_back((root_ / "agent").string());
    auto r = process::run(args);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : process::Outcome{};
  }
};

TEST_F(ImageCliTest, ImportRunWithNeverPullRemoveAndPrune) {
  fs::path archive = root_ / "exit.tar";
  auto made = process::runChecked(
      {"skopeo", "--insecure-policy", "copy", "-q",
       "oci:" + std::string(std::getenv("BERTH_TEST_REGISTRY_DIR")) + "/images/oci:exit",
       "oci-archive:" + archive.string() + ":offline.example/exit:1"});
  ASSERT_TRUE(made) << made.error().message();

  auto imported = berth({"image", "import", archive.string()});
  ASSERT_EQ(imported.exitCode, 0) << imported.describe();
  EXPECT_NE(imported.out.find("imported offline.example/exit:1 sha256:"), std::string::npos);

  auto ls = berth({"image", "ls", "-o", "json"});
  ASSERT_EQ(ls.exitCode, 0) << ls.describe();
  auto list = nlohmann::json::parse(ls.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["names"][0], "offline.example/exit:1");

  // No registry serves offline.example: the pod runs only because the image was imported.
  writeManifest("off.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: offline}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: offline.example/exit:1
    imagePullPolicy: Never
    env: [{name: EXIT_CODE, value: "0"}]
)");
  auto p = waitForPod("offline", [](const api::Pod& q) { return q.status.phase == "Succeeded"; });
  rememberIds(p);

  auto inUse = berth({"image", "rm", "offline.example/exit:1"});
  EXPECT_NE(inUse.exitCode, 0);
  EXPECT_NE(inUse.err.find("in use"), std::string::npos) << inUse.err;

  fs::remove(manifests_ / "off.yaml");
  ASSERT_TRUE(waitUntil([&] { return !pod("offline"); }, 20s));
  auto rm = berth({"image", "rm", "offline.example/exit:1"});
  EXPECT_EQ(rm.exitCode, 0) << rm.describe();
  auto prune = berth({"image", "prune"});
  EXPECT_EQ(prune.exitCode, 0) << prune.describe();
  ls = berth({"image", "ls", "-o", "json"});
  EXPECT_EQ(nlohmann::json::parse(ls.out).size(), 0u);
  EXPECT_TRUE(files::listDir(root_ / "agent" / "images" / "layers")
                  .value_or(std::vector<std::string>{"x"})
                  .empty())
      << "layers left after prune";
}

TEST_F(ImageCliTest, UnknownImageIsAClearError) {
  auto rm = berth({"image", "rm", "nothing.example/none:1"});
  EXPECT_NE(rm.exitCode, 0);
  EXPECT_EQ(rm.err.rfind("error: ", 0), 0u) << rm.err;
}

}  // namespace
}  // namespace berth::testing
