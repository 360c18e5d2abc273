#include "agent/token_review_authenticator.h"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

using namespace std::chrono_literals;

class FakeClock final : public Clock {
 public:
  WallTime now() const override { return WallTime(mono_.time_since_epoch()); }
  MonoTime monotonic() const override { return mono_; }
  void advance(std::chrono::milliseconds d) { mono_ += d; }

 private:
  MonoTime mono_{std::chrono::seconds(1000)};
};

struct FakeReviews {
  int calls = 0;
  bool down = false;
  TokenReviewAuthenticator::Reviewer reviewer() {
    return [this](const std::string& token) -> Result<std::optional<http::Identity>> {
      calls++;
      if (down) {
        return fail(ErrorCode::kUnavailable, "connection refused");
      }
      if (token == "apiserver-token") {
        return std::optional<http::Identity>(
            http::Identity{"system:apiserver", {"system:masters", "system:authenticated"}});
      }
      if (token == "node-token") {
        return std::optional<http::Identity>(
            http::Identity{"system:node:n2", {"system:nodes", "system:authenticated"}});
      }
      return std::optional<http::Identity>();
    };
  }
};

TEST(TokenReviewAuthenticatorTest, AdmitsMastersAndCachesForAMinute) {
  FakeClock clock;
  FakeReviews reviews;
  TokenReviewAuthenticator auth(reviews.reviewer(), {}, clock);
  auto id = auth.authenticate("apiserver-token");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->user, "system:apiserver");
  EXPECT_EQ(reviews.calls, 1);
  clock.advance(59s);
  EXPECT_TRUE(auth.authenticate("apiserver-token"));
  EXPECT_EQ(reviews.calls, 1);  // cached
  clock.advance(2s);
  EXPECT_TRUE(auth.authenticate("apiserver-token"));
  EXPECT_EQ(reviews.calls, 2);  // expired, asked again
}

TEST(TokenReviewAuthenticatorTest, RejectsOtherGroupsAndUnknownTokensCachedBriefly) {
  FakeClock clock;
  FakeReviews reviews;
  TokenReviewAuthenticator auth(reviews.reviewer(), {}, clock);
  EXPECT_FALSE(auth.authenticate("node-token"));  // authenticated, but not a master
  EXPECT_FALSE(auth.authenticate("bogus"));
  EXPECT_EQ(reviews.calls, 2);
  clock.advance(9s);
  EXPECT_FALSE(auth.authenticate("bogus"));
  EXPECT_EQ(reviews.calls, 2);
  clock.advance(2s);
  EXPECT_FALSE(auth.authenticate("bogus"));
  EXPECT_EQ(reviews.calls, 3);
  EXPECT_FALSE(auth.authenticate(""));
  EXPECT_EQ(reviews.calls, 3);  // an empty token is not worth a review
}

TEST(TokenReviewAuthenticatorTest, FailedReviewsAreNotCached) {
  FakeClock clock;
  FakeReviews reviews;
  TokenReviewAuthenticator auth(reviews.reviewer(), {}, clock);
  reviews.down = true;
  EXPECT_FALSE(auth.authenticate("apiserver-token"));
  reviews.down = false;
  EXPECT_TRUE(auth.authenticate("apiserver-token"));
  EXPECT_EQ(reviews.calls, 2);
}

TEST(TokenReviewAuthenticatorTest, AnyAuthenticatorKeepsTheLocalToken) {
  FakeClock clock;
  FakeReviews reviews;
  auto local = std::make_shared<http::StaticTokenAuthenticator>();
  local->addToken("local-secret", http::Identity{"system:node-client", {}});
  auto review =
      std::make_shared<TokenReviewAuthenticator>(reviews.reviewer(), TokenReviewOptions{}, clock);
  AnyAuthenticator any({local, review});
  auto id = any.authenticate("local-secret");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->user, "system:node-client");
  EXPECT_EQ(reviews.calls, 0);  // the local token never reaches the API server
  id = any.authenticate("apiserver-token");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->user, "system:apiserver");
  EXPECT_FALSE(any.authenticate("bogus"));
}

}  // namespace
}  // namespace berth::agent
