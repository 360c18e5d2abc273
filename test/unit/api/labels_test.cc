#include "api/labels.h"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

TEST(LabelsTest, FormatsSortedPairs) {
  EXPECT_EQ(formatLabels({}), "");
  EXPECT_EQ(formatLabels({{"tier", "front"}, {"app", "web"}}), "app=web,tier=front");
  EXPECT_EQ(formatLabels({{"empty", ""}}), "empty=");
}

TEST(LabelsTest, EqualitySelectorMatching) {
  Labels labels = {{"app", "web"}, {"tier", "front"}};
  EXPECT_TRUE(labelsMatch({}, labels));
  EXPECT_TRUE(labelsMatch({{"app", "web"}}, labels));
  EXPECT_TRUE(labelsMatch(labels, labels));
  EXPECT_FALSE(labelsMatch({{"app", "db"}}, labels));
  EXPECT_FALSE(labelsMatch({{"zone", "a"}}, labels));
  EXPECT_FALSE(labelsMatch({{"app", "web"}}, {}));
}

}  // namespace
}  // namespace berth::api
