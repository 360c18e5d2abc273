#include "api/name_validation.h"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

TEST(NameValidationTest, Dns1123Label) {
  for (const char* ok : {"a", "0", "a-b", "abc123", "123-abc"}) {
    EXPECT_TRUE(isDns1123Label(ok).empty()) << ok;
  }
  EXPECT_TRUE(isDns1123Label(std::string(63, 'a')).empty());
  for (const char* bad : {"", "-a", "a-", "A", "a.b", "a_b", "a b"}) {
    EXPECT_EQ(isDns1123Label(bad).size(), 1u) << bad;
  }
  auto tooLong = isDns1123Label(std::string(64, 'a'));
  ASSERT_EQ(tooLong.size(), 1u);
  EXPECT_EQ(tooLong[0], "must be no more than 63 characters");
}

TEST(NameValidationTest, Dns1123Subdomain) {
  for (const char* ok : {"a", "a.b", "a-b.c-d", "example.com", "1.2.3"}) {
    EXPECT_TRUE(isDns1123Subdomain(ok).empty()) << ok;
  }
  for (const char* bad : {"", ".a", "a.", "a..b", "a.-b", "A.b", "a_b"}) {
    EXPECT_EQ(isDns1123Subdomain(bad).size(), 1u) << bad;
  }
  EXPECT_TRUE(isDns1123Subdomain(std::string(253, 'a')).empty());
  EXPECT_EQ(isDns1123Subdomain(std::string(254, 'a')),
            std::vector<std::string>{"must be no more than 253 characters"});
}

TEST(NameValidationTest, QualifiedNamesAndLabelValues) {
  for (const char* ok : {"a", "A_b.c-D", "example.com/name", "k8s.io/Name_1"}) {
    EXPECT_TRUE(isQualifiedName(ok).empty()) << ok;
  }
  EXPECT_EQ(isQualifiedName("example.com/"),
            (std::vector<std::string>{"name part must be non-empty",
                                      "name part must consist of alphanumeric characters, '-', "
                                      "'_' or '.', and must start and end with an alphanumeric "
                                      "character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
                                      "regex used for validation is "
                                      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"}));
  EXPECT_EQ(isQualifiedName(std::string(64, 'a')),
            std::vector<std::string>{"name part must be no more than 63 characters"});
  EXPECT_TRUE(isValidLabelValue("").empty());
  EXPECT_TRUE(isValidLabelValue("v1.2_x-Y").empty());
  EXPECT_EQ(isValidLabelValue("-x").size(), 1u);
}

TEST(NameValidationTest, PortsIdsAndIps) {
  EXPECT_TRUE(isValidPortName("http").empty());
  EXPECT_TRUE(isValidPortName("h2c-1").empty());
  EXPECT_TRUE(isValidPortNum(1).empty());
  EXPECT_TRUE(isValidPortNum(65535).empty());
  EXPECT_EQ(isValidPortNum(0), std::vector<std::string>{"must be between 1 and 65535, inclusive"});
  EXPECT_TRUE(isValidUserId(0).empty());
  EXPECT_TRUE(isValidUserId(2147483647).empty());
  EXPECT_FALSE(isValidUserId(2147483648).empty());
  EXPECT_TRUE(isValidIp("10.0.0.1").empty());
  EXPECT_TRUE(isValidIp("fd00::1").empty());
  EXPECT_FALSE(isValidIp("10.0.0").empty());
  EXPECT_FALSE(isValidIp("").empty());
}

TEST(NameValidationTest, EnvAndConfigKeys) {
  EXPECT_TRUE(isEnvVarName("_A.b-c9").empty());
  EXPECT_EQ(isEnvVarName("9a").size(), 1u);
  EXPECT_EQ(isEnvVarName("."), std::vector<std::string>{"must not be '.'"});
  EXPECT_EQ(isEnvVarName(".."), std::vector<std::string>{"must not be '..'"});
  EXPECT_TRUE(isConfigMapKey("a.b_c-D").empty());
  EXPECT_EQ(isConfigMapKey("a/b").size(), 1u);
}

}  // namespace
}  // namespace berth::api
