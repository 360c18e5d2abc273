#include <gtest/gtest.h>

#include "apiserver/human_duration.h"

namespace berth::apiserver {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(HumanDurationTest, FollowsKubernetesBranches) {
  EXPECT_EQ(humanDuration(seconds(-5)), "<invalid>");
  EXPECT_EQ(humanDuration(milliseconds(-1500)), "0s");
  EXPECT_EQ(humanDuration(seconds(0)), "0s");
  EXPECT_EQ(humanDuration(seconds(5)), "5s");
  EXPECT_EQ(humanDuration(seconds(119)), "119s");
  EXPECT_EQ(humanDuration(seconds(120)), "2m");
  EXPECT_EQ(humanDuration(seconds(190)), "3m10s");
  EXPECT_EQ(humanDuration(minutes(10) + seconds(30)), "10m");
  EXPECT_EQ(humanDuration(minutes(179)), "179m");
  EXPECT_EQ(humanDuration(hours(3)), "3h");
  EXPECT_EQ(humanDuration(hours(5) + minutes(30)), "5h30m");
  EXPECT_EQ(humanDuration(hours(20)), "20h");
  EXPECT_EQ(humanDuration(hours(52)), "2d4h");
  EXPECT_EQ(humanDuration(hours(72)), "3d");
  EXPECT_EQ(humanDuration(hours(24 * 50)), "50d");
  EXPECT_EQ(humanDuration(hours(24 * (365 * 3 + 20))), "3y20d");
  EXPECT_EQ(humanDuration(hours(24 * 365 * 9)), "9y");
}

TEST(HumanDurationTest, ParsesRfc3339) {
  auto t = parseRfc3339("2024-05-01T10:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(rfc3339(*t), "2024-05-01T10:00:00Z");
  auto micro = parseRfc3339("2024-05-01T10:00:00.250000Z");
  ASSERT_TRUE(micro);
  EXPECT_EQ(*micro - *t, milliseconds(250));
  auto offset = parseRfc3339("2024-05-01T12:00:00+02:00");
  ASSERT_TRUE(offset);
  EXPECT_EQ(*offset, *t);
  EXPECT_FALSE(parseRfc3339(""));
  EXPECT_FALSE(parseRfc3339("2024-05-01"));
  EXPECT_FALSE(parseRfc3339("2024-05-01T10:00:00"));
  EXPECT_FALSE(parseRfc3339("2024-13-01T10:00:00Z"));
}

TEST(HumanDurationTest, TimestampSince) {
  auto now = *parseRfc3339("2024-05-01T10:05:00Z");
  EXPECT_EQ(timestampSince("2024-05-01T10:00:00Z", now), "5m");
  EXPECT_EQ(timestampSince("", now), "<unknown>");
  EXPECT_EQ(timestampSince("yesterday", now), "<unknown>");
}

}  // namespace
}  // namespace berth::apiserver
