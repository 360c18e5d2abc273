#include "agent/api_pod_changes.h"

#include <gtest/gtest.h>

#include <set>

namespace berth::agent {
namespace {

using nlohmann::json;

json podJson(const std::string& name, const std::string& uid,
             const std::string& phase = "Pending") {
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", uid}}},
      {"spec",
       {{"nodeName", "n1"}, {"containers", json::array({{{"name", "c"}, {"image", "bb:1"}}})}}},
      {"status", {{"phase", phase}}},
  };
}

std::vector<std::string> uidsOf(const std::vector<DesiredPod>& pods) {
  std::vector<std::string> out;
  for (const auto& d : pods) {
    out.push_back(d.pod.metadata.uid);
  }
  return out;
}

// The informer's cache and the loop's uids, as ApiPodChanges sees them.
struct Fixture {
  std::vector<json> cache;
  std::set<std::string> loop;
  ApiPodChanges changes;

  ApiPodChanges::HandOver take() {
    return changes.take([this] { return cache; },
                        [this](const std::string& uid) { return loop.contains(uid); });
  }
};

TEST(ApiPodChangesTest, FirstTheCompleteSetThenOnlyWhatChanged) {
  Fixture f;
  f.cache = {podJson("a", "u1"), podJson("b", "u2")};
  f.changes.note("default/a", f.cache[0]);  // the first list's events
  f.changes.note("default/b", f.cache[1]);
  auto first = f.take();
  EXPECT_TRUE(first.complete);
  EXPECT_EQ(uidsOf(first.pods), (std::vector<std::string>{"u1", "u2"}));

  f.changes.note("default/b", podJson("b", "u2", "Running"));
  auto next = f.take();
  EXPECT_FALSE(next.complete);
  EXPECT_EQ(uidsOf(next.pods), (std::vector<std::string>{"u2"}));  // "a" is not decoded again
  EXPECT_TRUE(next.removed.empty());

  auto idle = f.take();
  EXPECT_FALSE(idle.complete);
  EXPECT_TRUE(idle.pods.empty());
  EXPECT_TRUE(idle.removed.empty());
}

TEST(ApiPodChangesTest, ADeletedPodIsRemoved) {
  Fixture f;
  f.cache = {podJson("a", "u1")};
  f.take();
  f.changes.note("default/a", std::nullopt);
  auto h = f.take();
  EXPECT_TRUE(h.pods.empty());
  EXPECT_EQ(h.removed, (std::vector<std::string>{"u1"}));
}

TEST(ApiPodChangesTest, ANameTakenByANewPodRemovesTheOldOne) {
  Fixture f;
  f.cache = {podJson("a", "u1")};
  f.take();
  f.changes.note("default/a", podJson("a", "u9"));  // deleted and created again in between
  auto h = f.take();
  EXPECT_EQ(h.removed, (std::vector<std::string>{"u1"}));
  EXPECT_EQ(uidsOf(h.pods), (std::vector<std::string>{"u9"}));
}

TEST(ApiPodChangesTest, APodCreatedAndDeletedBetweenHandOversIsNeverSeen) {
  Fixture f;
  f.take();
  f.changes.note("default/x", podJson("x", "u7"));
  f.changes.note("default/x", std::nullopt);
  auto h = f.take();
  EXPECT_TRUE(h.pods.empty());
  EXPECT_TRUE(h.removed.empty());
}

TEST(ApiPodChangesTest, AFinishedPodTheLoopDoesNotKnowIsNotStarted) {
  Fixture f;
  f.cache = {podJson("done", "u3", "Succeeded"), podJson("kept", "u4", "Failed")};
  f.loop = {"u4"};  // still known to the loop: passed on so that it is not torn down
  auto first = f.take();
  EXPECT_EQ(uidsOf(first.pods), (std::vector<std::string>{"u4"}));
  f.changes.note("default/late", podJson("late", "u5", "Succeeded"));
  EXPECT_TRUE(f.take().pods.empty());
}

TEST(ApiPodChangesTest, ResetStartsOverWithTheCompleteSet) {
  Fixture f;
  f.cache = {podJson("a", "u1")};
  f.take();
  f.changes.note("default/a", podJson("a", "u1", "Running"));
  f.changes.reset();
  f.cache = {podJson("b", "u2")};
  auto h = f.take();
  EXPECT_TRUE(h.complete);
  EXPECT_EQ(uidsOf(h.pods), (std::vector<std::string>{"u2"}));
}

}  // namespace
}  // namespace berth::agent
