#include "agent/image/auth_challenge.h"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

TEST(WwwAuthenticateTest, Bearer) {
  auto cs = parseWwwAuthenticate(
      R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push")");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].scheme, "bearer");
  EXPECT_EQ(cs[0].params.at("realm"), "https://auth.example.com/token");
  EXPECT_EQ(cs[0].params.at("service"), "registry.example.com");
  EXPECT_EQ(cs[0].params.at("scope"), "repository:a/b:pull,push");
}

TEST(WwwAuthenticateTest, SeveralChallengesSpacesAndEscapes) {
  auto cs = parseWwwAuthenticate(
      R"(Basic realm="Registry \"R\"" , BEARER Realm=http://x/t, error="insufficient_scope")");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].scheme, "basic");
  EXPECT_EQ(cs[0].params.at("realm"), R"(Registry "R")");
  EXPECT_EQ(cs[1].scheme, "bearer");
  EXPECT_EQ(cs[1].params.at("realm"), "http://x/t");
  EXPECT_EQ(cs[1].params.at("error"), "insufficient_scope");
}

TEST(WwwAuthenticateTest, DegenerateInputs) {
  EXPECT_TRUE(parseWwwAuthenticate("").empty());
  auto bare = parseWwwAuthenticate("Basic");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_TRUE(bare[0].params.empty());
  EXPECT_EQ(parseWwwAuthenticate("Negotiate abc==")[0].scheme, "negotiate");
}

TEST(TokenTest, TokenUrl) {
  Challenge c{"bearer",
              {{"realm", "https://auth/token"},
               {"service", "reg:5000"},
               {"scope", "repository:a/b:pull repository:c:pull"}}};
  EXPECT_EQ(*tokenUrl(c, "unused"),
            "https://auth/token?service=reg%3A5000&scope=repository%3Aa%2Fb%3Apull&scope="
            "repository%3Ac%3Apull");
  Challenge noScope{"bearer", {{"realm", "http://auth/token?x=1"}}};
  EXPECT_EQ(*tokenUrl(noScope, "repository:r:pull"),
            "http://auth/token?x=1&scope=repository%3Ar%3Apull");
  EXPECT_EQ(tokenUrl(Challenge{"bearer", {}}, "").error().message(),
            "bearer challenge without realm");
  EXPECT_FALSE(tokenUrl(Challenge{"bearer", {{"realm", "file:///etc/passwd"}}}, ""));
}

TEST(TokenTest, TokenResponse) {
  EXPECT_EQ(*parseTokenResponse(R"({"token":"abc","expires_in":300})"), "abc");
  EXPECT_EQ(*parseTokenResponse(R"({"access_token":"xyz"})"), "xyz");
  EXPECT_EQ(parseTokenResponse(R"({"other":1})").error().code(), ErrorCode::kUnauthenticated);
  EXPECT_FALSE(parseTokenResponse("not json"));
}

TEST(TokenTest, BasicAuthorization) {
  EXPECT_EQ(basicAuthorization("berth", "s3cret"), "Basic YmVydGg6czNjcmV0");
  EXPECT_EQ(basicAuthorization("a", ""), "Basic YTo=");
}

}  // namespace
}  // namespace berth::image
