// ArmExecSessions: random credentials, single use, expiry on a manual clock, password checks.

#include "apiserver/arm_exec_sessions.h"

#include <gtest/gtest.h>

namespace berth::apiserver {
namespace {

class ManualClock final : public Clock {
 public:
  WallTime now() const override { return WallTime{} + elapsed_; }
  MonoTime monotonic() const override { return MonoTime{} + elapsed_; }
  void advance(std::chrono::milliseconds d) { elapsed_ += d; }

 private:
  std::chrono::milliseconds elapsed_{1000000};
};

ArmExecTarget target(const std::string& pod) {
  return ArmExecTarget{NodeEndpoint{"10.0.0.1", "10250"}, "/exec/ns/" + pod + "/c?command=ls"};
}

TEST(ArmExecSessionsTest, CreatesRandomCredentialsAndClaimsTheTargetOnce) {
  ManualClock clock;
  ArmExecSessions sessions(clock);
  auto a = sessions.create(target("a"));
  auto b = sessions.create(target("b"));
  EXPECT_EQ(a.id.size(), 32u);
  EXPECT_EQ(a.password.size(), 32u);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.password, b.password);
  EXPECT_NE(a.id, a.password);
  EXPECT_EQ(sessions.size(), 2u);

  auto claimed = sessions.claim(b.id);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->target.path, "/exec/ns/b/c?command=ls");
  EXPECT_EQ(claimed->target.agent.host, "10.0.0.1");
  EXPECT_EQ(claimed->password, b.password);
  EXPECT_FALSE(sessions.claim(b.id)) << "a session is single-use";
  EXPECT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions.claim(a.id));
  EXPECT_FALSE(sessions.claim("unknown"));
  EXPECT_FALSE(sessions.claim(""));
}

TEST(ArmExecSessionsTest, ExpiresSixtySecondsAfterCreation) {
  ManualClock clock;
  ArmExecSessions sessions(clock);
  auto early = sessions.create(target("early"));
  clock.advance(std::chrono::seconds(59));
  auto late = sessions.create(target("late"));
  EXPECT_TRUE(sessions.claim(early.id)) << "59 s: still valid";

  auto expiring = sessions.create(target("expiring"));
  clock.advance(std::chrono::seconds(60));
  EXPECT_FALSE(sessions.claim(expiring.id)) << "60 s: expired";
  EXPECT_FALSE(sessions.claim(late.id));
}

TEST(ArmExecSessionsTest, ForgetsExpiredSessionsOnCreate) {
  ManualClock clock;
  ArmExecSessions sessions(clock, std::chrono::seconds(5));
  for (int i = 0; i < 10; ++i) {
    sessions.create(target("p"));
  }
  EXPECT_EQ(sessions.size(), 10u);
  clock.advance(std::chrono::seconds(5));
  auto fresh = sessions.create(target("fresh"));
  EXPECT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions.claim(fresh.id));
}

TEST(ArmExecSessionsTest, AcceptsOnlyTheExactPassword) {
  ManualClock clock;
  ArmExecSessions sessions(clock);
  auto created = sessions.create(target("p"));
  auto claimed = sessions.claim(created.id);
  ASSERT_TRUE(claimed);
  EXPECT_TRUE(claimed->accepts(created.password));
  EXPECT_FALSE(claimed->accepts(""));
  EXPECT_FALSE(claimed->accepts("wrong"));
  EXPECT_FALSE(claimed->accepts(created.password.substr(0, 31)));
  EXPECT_FALSE(claimed->accepts(created.password + "x"));
  std::string flipped = created.password;
  flipped[31] = flipped[31] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(claimed->accepts(flipped));
  EXPECT_FALSE(claimed->accepts(created.id));
}

}  // namespace
}  // namespace berth::apiserver
