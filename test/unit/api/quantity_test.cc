#include "api/quantity.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace berth::api {
namespace {

constexpr const char* kFormat =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr const char* kSuffix = "unable to parse quantity's suffix";

struct Good {
  const char* text;
  int64_t milli;
  int64_t value;
};

TEST(QuantityTest, ParsesKubernetesSyntax) {
  const Good cases[] = {
      {"0", 0, 0},
      {"000", 0, 0},
      {"0m", 0, 0},
      {"0Ki", 0, 0},
      {"-", 0, 0},  // Kubernetes reads a lone sign as zero
      {"+", 0, 0},
      {".", 0, 0},
      {"1", 1000, 1},
      {"+1", 1000, 1},
      {"2", 2000, 2},
      {"007", 7000, 7},
      {"100m", 100, 1},
      {"1500m", 1500, 2},
      {"250m", 250, 1},
      {"1m", 1, 1},
      {"0.5", 500, 1},
      {".5", 500, 1},
      {"5.", 5000, 5},
      {"1.G", 1000000000000, 1000000000},
      {"0.1", 100, 1},
      {"1.5", 1500, 2},
      {"1n", 1, 1},
      {"1u", 1, 1},
      {"1000u", 1, 1},
      {"1001u", 2, 1},
      {"1k", 1000000, 1000},
      {"1M", 1000000000, 1000000},
      {"1G", 1000000000000, 1000000000},
      {"1T", 1000000000000000, 1000000000000},
      {"1P", 1000000000000000000, 1000000000000000},
      {"1E", std::numeric_limits<int64_t>::min(), 1000000000000000000},  // milli overflows
      {"1Ki", 1024000, 1024},
      {"64Mi", 67108864000, 67108864},
      {"1Gi", 1073741824000, 1073741824},
      {"1Ti", 1099511627776000, 1099511627776},
      {"1Pi", 1125899906842624000, 1125899906842624},
      {"1.5Ki", 1536000, 1536},
      {"0.5Ki", 512000, 512},
      {"1e3", 1000000, 1000},
      {"1E3", 1000000, 1000},
      {"1e+3", 1000000, 1000},
      {"1e-3", 1, 1},
      {"12e-1", 1200, 2},
      {"1.5e1", 15000, 15},
      {"-1", -1000, -1},
      {"-100m", -100, -1},
      {"-1.5Ki", -1536000, -1536},
      {"-0", 0, 0},
      {"9223372036854775807", std::numeric_limits<int64_t>::min(),
       std::numeric_limits<int64_t>::max()},
      {"0.0000000001", 1, 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto v = parseQuantity(c.text);
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(*v, c.value);
    auto m = parseQuantityMilli(c.text);
    if (c.milli == std::numeric_limits<int64_t>::min()) {
      ASSERT_FALSE(m);
      EXPECT_EQ(m.error().message(), std::string("quantity '") + c.text + "' is too large");
    } else {
      ASSERT_TRUE(m) << m.error().message();
      EXPECT_EQ(*m, c.milli);
    }
    EXPECT_TRUE(checkQuantity(c.text));
  }
}

TEST(QuantityTest, RejectsBadSyntaxWithKubernetesMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"", kFormat},        {"aoeu", kFormat},  {"1.1.M", kFormat},
      {"1+1.0M", kFormat},  {" 1", kFormat},    {"1 ", kFormat},
      {"1Gb", kFormat},     {"1e3.5", kFormat}, {"1x", kFormat},
      {"--1", kSuffix},     {"0.1mi", kSuffix}, {"0.1am", kFormat},
      {".5i", kSuffix},     {"1i", kSuffix},    {"-3.01i", kSuffix},
      {"-3.01e-", kSuffix}, {"1e", kSuffix},    {"1KiB", kFormat},
      {"1ki", kSuffix},     {"1mm", kSuffix},   {"1e99999999999", kSuffix},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    auto v = parseQuantity(text);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(v.error().message(), message);
    EXPECT_FALSE(parseQuantityMilli(text));
    EXPECT_FALSE(checkQuantity(text));
  }
}

TEST(QuantityTest, OverflowIsAnErrorNotAWrap) {
  for (const char* text : {"9223372036854775808", "10E", "8Ei", "1e19", "1e100", "-1e100",
                           "99999999999999999999999"}) {
    SCOPED_TRACE(text);
    auto v = parseQuantity(text);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(v.error().message(), std::string("quantity '") + text + "' is too large");
    EXPECT_TRUE(checkQuantity(text));  // valid syntax, just too big for int64
  }
  EXPECT_EQ(*parseQuantity("7Ei"), 8070450532247928832);
  EXPECT_EQ(*parseQuantity("1e-100"), 1);  // tiny positive rounds up
  EXPECT_EQ(*parseQuantity("1e-99999"), 1);
}

TEST(QuantityTest, ComparesExactly) {
  EXPECT_EQ(*compareQuantities("1", "1000m"), 0);
  EXPECT_EQ(*compareQuantities("0.5", "500m"), 0);
  EXPECT_EQ(*compareQuantities("1Ki", "1024"), 0);
  EXPECT_EQ(*compareQuantities("1k", "1Ki"), -1);
  EXPECT_EQ(*compareQuantities("1Gi", "1G"), 1);
  EXPECT_EQ(*compareQuantities("2", "1"), 1);
  EXPECT_EQ(*compareQuantities("-1", "1"), -1);
  EXPECT_EQ(*compareQuantities("-2", "-1"), -1);
  EXPECT_EQ(*compareQuantities("0", "-0"), 0);
  EXPECT_EQ(*compareQuantities("1e100", "1e99"), 1);
  EXPECT_EQ(*compareQuantities("100000000000000000001", "100000000000000000000"), 1);
  EXPECT_EQ(*compareQuantities("1n", "0"), 1);
  EXPECT_EQ(compareQuantities("x", "1").error().message(), kFormat);
}

TEST(QuantityTest, CanonicalFormLikeKubernetes) {
  const std::pair<const char*, const char*> cases[] = {
      {"0", "0"},
      {"0m", "0"},
      {"0Ki", "0"},
      {"1", "1"},
      {"0.5", "500m"},
      {".5", "500m"},
      {"100m", "100m"},
      {"1500m", "1500m"},
      {"1.5", "1500m"},
      {"2000m", "2"},
      {"1000", "1k"},
      {"1200", "1200"},
      {"1.2k", "1200"},
      {"12e2", "1200"},
      {"1e3", "1e3"},
      {"1E3", "1e3"},
      {"1500e-3", "1500e-3"},
      {"1k", "1k"},
      {"1M", "1M"},
      {"1E", "1E"},
      {"1000E", "1000E"},
      {"10000E", "10000E"},
      {"1u", "1u"},
      {"1n", "1n"},
      {"0.1n", "1n"},
      {"1.5n", "2n"},
      {"-0.5", "-500m"},
      {"-1.5n", "-2n"},
      {"1Ki", "1Ki"},
      {"1024", "1024"},
      {"2048Ki", "2Mi"},
      {"1024Mi", "1Gi"},
      {"1.5Gi", "1536Mi"},
      {"1000Ki", "1000Ki"},
      {"512Ki", "512Ki"},
      {"1023", "1023"},
      {"0.5Ki", "512"},
      {"0.5Gi", "512Mi"},
      {"1.1Ki", "1126400m"},
      {"64Mi", "64Mi"},
      {"-1Ki", "-1Ki"},
  };
  for (const auto& [text, canonical] : cases) {
    SCOPED_TRACE(text);
    auto c = canonicalQuantity(text);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(*c, canonical);
  }
  EXPECT_FALSE(canonicalQuantity("x"));
}

}  // namespace
}  // namespace berth::api
