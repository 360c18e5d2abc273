#include "scheduler/taints.h"

#include <gtest/gtest.h>

namespace berth::scheduler {
namespace {

struct Case {
  const char* name;
  Toleration toleration;
  Taint taint;
  bool tolerated;
};

TEST(TaintsTest, TolerationMatchingAsKubernetes) {
  const Taint t{"dedicated", "gpu", "NoSchedule"};
  const Case cases[] = {
      {"equal key value effect", {"dedicated", "Equal", "gpu", "NoSchedule"}, t, true},
      {"empty operator means Equal", {"dedicated", "", "gpu", "NoSchedule"}, t, true},
      {"equal with other value", {"dedicated", "Equal", "cpu", "NoSchedule"}, t, false},
      {"equal with empty value vs value", {"dedicated", "Equal", "", "NoSchedule"}, t, false},
      {"exists ignores value", {"dedicated", "Exists", "", "NoSchedule"}, t, true},
      {"exists with other key", {"other", "Exists", "", "NoSchedule"}, t, false},
      {"empty effect matches all", {"dedicated", "Exists", "", ""}, t, true},
      {"other effect", {"dedicated", "Exists", "", "NoExecute"}, t, false},
      {"empty key exists tolerates all", {"", "Exists", "", ""}, t, true},
      {"empty key exists with effect", {"", "Exists", "", "NoExecute"}, t, false},
      {"empty key equal compares values", {"", "Equal", "gpu", ""}, t, true},
      {"unknown operator", {"dedicated", "Gt", "gpu", "NoSchedule"}, t, false},
      {"empty taint value and equal", {"k", "Equal", "", ""}, {"k", "", "NoSchedule"}, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(toleratesTaint(c.toleration, c.taint), c.tolerated) << c.name;
  }
}

TEST(TaintsTest, FindsFirstUntoleratedTaintPassingFilter) {
  std::vector<Taint> taints = {
      {"a", "", "PreferNoSchedule"}, {"b", "1", "NoSchedule"}, {"c", "2", "NoExecute"}};
  std::vector<Toleration> tolerations = {{"b", "Exists", "", ""}};
  auto hard = [](const Taint& t) { return t.effect != "PreferNoSchedule"; };
  auto found = findUntoleratedTaint(taints, tolerations, hard);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->key, "c");
  tolerations.push_back({"c", "Equal", "2", "NoExecute"});
  EXPECT_FALSE(findUntoleratedTaint(taints, tolerations, hard));
}

TEST(TaintsTest, ParsesLists) {
  auto taints = parseTaints(
      nlohmann::json::parse(R"([{"key":"k","value":"v","effect":"NoSchedule","timeAdded":null}])"));
  ASSERT_EQ(taints.size(), 1u);
  EXPECT_EQ(taints[0], (Taint{"k", "v", "NoSchedule"}));
  auto tols = parseTolerations(nlohmann::json::parse(
      R"([{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}])"));
  ASSERT_EQ(tols.size(), 1u);
  EXPECT_EQ(tols[0], (Toleration{"k", "Exists", "", "NoExecute"}));
}

}  // namespace
}  // namespace berth::scheduler
