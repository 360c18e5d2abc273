#include "instances/api_versions.h"

#include <gtest/gtest.h>

namespace berth::instances {
namespace {

TEST(ApiVersionsTest, AcceptsEveryListedVersionCaseInsensitively) {
  ASSERT_FALSE(supportedApiVersions().empty());
  EXPECT_EQ(supportedApiVersions().front(), "2023-05-01");
  EXPECT_EQ(defaultApiVersion(), "2023-05-01");
  for (std::string_view v : supportedApiVersions()) {
    EXPECT_TRUE(checkApiVersion(v).has_value()) << v;
  }
  EXPECT_TRUE(checkApiVersion("2024-05-01-PREVIEW").has_value());
}

TEST(ApiVersionsTest, MissingVersion) {
  for (auto v : {std::optional<std::string_view>(), std::optional<std::string_view>("")}) {
    auto r = checkApiVersion(v);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().httpStatus, 400);
    EXPECT_EQ(r.error().code, "MissingApiVersionParameter");
    EXPECT_EQ(r.error().message,
              "The api-version query parameter (?api-version=) is required for all requests.");
  }
}

TEST(ApiVersionsTest, MalformedVersion) {
  auto r = checkApiVersion("latest");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "InvalidApiVersionParameter");
  EXPECT_EQ(r.error().message.rfind("The api-version 'latest' is invalid. The supported versions "
                                    "are '2023-05-01,2024-05-01-preview,",
                                    0),
            0u)
      << r.error().message;
}

TEST(ApiVersionsTest, UnknownVersionWithLocationIsNoRegisteredProviderFound) {
  auto r = checkApiVersion("2099-01-01", "westus", "local, westus");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().httpStatus, 400);
  EXPECT_EQ(r.error().code, "NoRegisteredProviderFound");
  EXPECT_NE(r.error().message.find("No registered resource provider found for location 'westus' "
                                   "and API version '2099-01-01' for type 'containerGroups'. The "
                                   "supported api-versions are '2023-05-01, 2024-05-01-preview"),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("The supported locations are 'local, westus'."),
            std::string::npos);
}

TEST(ApiVersionsTest, UnknownVersionWithoutLocationIsInvalidResourceType) {
  auto r = checkApiVersion("2017-08-01-preview");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "InvalidResourceType");
  EXPECT_EQ(r.error().message.rfind("The resource type 'containerGroups' could not be found in "
                                    "the namespace 'Microsoft.ContainerInstance' for api version "
                                    "'2017-08-01-preview'. The supported api-versions are "
                                    "'2023-05-01,",
                                    0),
            0u)
      << r.error().message;
}

TEST(ApiVersionsTest, ErrorBodyIsArmShaped) {
  auto r = checkApiVersion("");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(nlohmann::json::parse(r.error().body()),
            nlohmann::json::parse(R"({"error":{"code":"MissingApiVersionParameter","message":
              "The api-version query parameter (?api-version=) is required for all requests."}})"));
}

}  // namespace
}  // namespace berth::instances
