#include "base/base64.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Base64Test, EncodesWithPadding) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode(std::string("\xff\x00\x10", 3)), "/wAQ");
}

TEST(Base64Test, StrictDecodingIsGosStdEncoding) {
  EXPECT_EQ(*base64Decode("czNjcmV0"), "s3cret");
  EXPECT_EQ(*base64Decode("Zm8=\r\n"), "fo");
  auto unpadded = base64Decode("Zm8");
  ASSERT_FALSE(unpadded);
  EXPECT_EQ(unpadded.error().message(), "illegal base64 data at input byte 3");
  auto bad = base64Decode("Zm$v");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "illegal base64 data at input byte 2");
  EXPECT_FALSE(base64Decode("Zm 8="));
  EXPECT_FALSE(base64Decode("Z==="));
  EXPECT_FALSE(base64Decode("Zm8=Zm8="));  // data after padding
}

TEST(Base64Test, LenientDecodingSkipsSpaceAndMissingPadding) {
  EXPECT_EQ(*base64Decode("aGVsbG8", Base64Mode::kLenient), "hello");
  EXPECT_EQ(*base64Decode("aGVs\n bG8h", Base64Mode::kLenient), "hello!");
  EXPECT_FALSE(base64Decode("a", Base64Mode::kLenient));
  EXPECT_FALSE(base64Decode("a$b=", Base64Mode::kLenient));
}

}  // namespace
}  // namespace berth
