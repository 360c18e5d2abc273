#include "apiserver/protobuf_values.h"

#include <gtest/gtest.h>

#include <limits>

namespace berth::apiserver::protobuf {
namespace {

TEST(ProtobufValues, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Encode(std::string("\x00\xff\xfe", 3)), "AP/+");
}

TEST(ProtobufValues, Utf8Validation) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("plain ascii"));
  EXPECT_TRUE(isValidUtf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\xa2"));
  EXPECT_FALSE(isValidUtf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(isValidUtf8("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(isValidUtf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(isValidUtf8("\xff"));
}

TEST(ProtobufValues, FormatsTimesLikeMetav1) {
  EXPECT_EQ(formatTime(0, 0, false).value(), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatTime(1700000000, 123456789, false).value(), "2023-11-14T22:13:20Z");
  EXPECT_EQ(formatTime(1700000000, 123456789, true).value(), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(formatTime(-1, 0, false).value(), "1969-12-31T23:59:59Z");
  EXPECT_EQ(formatTime(951782400, 0, false).value(), "2000-02-29T00:00:00Z");
  EXPECT_EQ(formatTime(-62135596800, 0, false).value(), "0001-01-01T00:00:00Z");
  EXPECT_EQ(formatTime(253402300799, 0, false).value(), "9999-12-31T23:59:59Z");
  EXPECT_FALSE(formatTime(253402300800, 0, false).has_value());
  EXPECT_FALSE(formatTime(std::numeric_limits<int64_t>::min(), 0, false).has_value());
  EXPECT_FALSE(formatTime(0, -1, false).has_value());
  EXPECT_FALSE(formatTime(0, 1'000'000'000, false).has_value());
}

TEST(ProtobufValues, FormatsDurationsLikeGo) {
  EXPECT_EQ(formatGoDuration(0), "0s");
  EXPECT_EQ(formatGoDuration(1), "1ns");
  EXPECT_EQ(formatGoDuration(-5), "-5ns");
  EXPECT_EQ(formatGoDuration(1'500), "1.5\u00b5s");
  EXPECT_EQ(formatGoDuration(300'000'000), "300ms");
  EXPECT_EQ(formatGoDuration(1'500'000'000), "1.5s");
  EXPECT_EQ(formatGoDuration(90'000'000'000), "1m30s");
  EXPECT_EQ(formatGoDuration(120'000'000'000), "2m0s");
  EXPECT_EQ(formatGoDuration(3'600'000'000'000), "1h0m0s");
  EXPECT_EQ(formatGoDuration(std::numeric_limits<int64_t>::min()), "-2562047h47m16.854775808s");
  EXPECT_EQ(formatGoDuration(std::numeric_limits<int64_t>::max()), "2562047h47m16.854775807s");
}

}  // namespace
}  // namespace berth::apiserver::protobuf
