#include "agent/probe_worker.h"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

using std::chrono::seconds;

class ProbeWorkerTest : public ::testing::Test {
 protected:
  api::Probe probe(int initialDelay = 0, int period = 10, int success = 1, int failure = 3) {
    api::Probe p;
    p.initialDelaySeconds = initialDelay;
    p.periodSeconds = period;
    p.successThreshold = success;
    p.failureThreshold = failure;
    return p;
  }

  Clock::MonoTime t0_ = Clock::MonoTime(seconds(1000));
};

TEST_F(ProbeWorkerTest, InitialResults) {
  EXPECT_FALSE(ProbeWorker(ProbeKind::kReadiness, probe(), t0_).success());
  EXPECT_TRUE(ProbeWorker(ProbeKind::kLiveness, probe(), t0_).success());
  EXPECT_FALSE(ProbeWorker(ProbeKind::kStartup, probe(), t0_).success());
}

TEST_F(ProbeWorkerTest, FirstProbeAfterInitialDelayThenEveryPeriod) {
  ProbeWorker w(ProbeKind::kReadiness, probe(/*initialDelay=*/5, /*period=*/3), t0_);
  EXPECT_EQ(w.due(), t0_ + seconds(5));
  w.observe(ProbeOutcome::kFailure, t0_ + seconds(5));
  EXPECT_EQ(w.due(), t0_ + seconds(8));
  w.skip(t0_ + seconds(8));
  EXPECT_EQ(w.due(), t0_ + seconds(11));
  ProbeWorker immediate(ProbeKind::kReadiness, probe(0), t0_);
  EXPECT_EQ(immediate.due(), t0_);
}

TEST_F(ProbeWorkerTest, ReadinessFollowsThresholds) {
  ProbeWorker w(ProbeKind::kReadiness, probe(0, 1, /*success=*/2, /*failure=*/3), t0_);
  auto t = t0_;
  EXPECT_EQ(w.observe(ProbeOutcome::kSuccess, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_FALSE(w.success());
  EXPECT_EQ(w.observe(ProbeOutcome::kSuccess, t += seconds(1)), ProbeVerdict::kChanged);
  EXPECT_TRUE(w.success());
  // Two failures are below the threshold; a success in between restarts the count.
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_EQ(w.observe(ProbeOutcome::kSuccess, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_TRUE(w.success());
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kChanged);
  EXPECT_FALSE(w.success());
  // Readiness never asks for a kill and keeps probing.
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_FALSE(w.done());
  // Unknown outcomes (the container is stopping) do not count.
  EXPECT_EQ(w.observe(ProbeOutcome::kSuccess, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_EQ(w.observe(ProbeOutcome::kUnknown, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_EQ(w.observe(ProbeOutcome::kSuccess, t += seconds(1)), ProbeVerdict::kChanged);
}

TEST_F(ProbeWorkerTest, LivenessKillsAfterFailureThresholdAndHolds) {
  ProbeWorker w(ProbeKind::kLiveness, probe(0, 1, 1, /*failure=*/3), t0_);
  auto t = t0_;
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kNone);
  EXPECT_TRUE(w.success());
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kKill);
  EXPECT_TRUE(w.onHold());
  EXPECT_TRUE(w.done());
  // On hold: nothing more comes out of it.
  EXPECT_EQ(w.observe(ProbeOutcome::kFailure, t += seconds(1)), ProbeVerdict::kNone);
}

TEST_F(ProbeWorkerTest, StartupSucceedsOnceOrKillsAfterThreshold) {
  ProbeWorker ok(ProbeKind::kStartup, probe(0, 1, 1, 2), t0_);
  EXPECT_EQ(ok.observe(ProbeOutcome::kFailure, t0_), ProbeVerdict::kNone);
  EXPECT_EQ(ok.observe(ProbeOutcome::kSuccess, t0_ + seconds(1)), ProbeVerdict::kChanged);
  EXPECT_TRUE(ok.success());
  EXPECT_TRUE(ok.done());  // never probed again
  EXPECT_EQ(ok.observe(ProbeOutcome::kFailure, t0_ + seconds(2)), ProbeVerdict::kNone);
  EXPECT_TRUE(ok.success());

  ProbeWorker bad(ProbeKind::kStartup, probe(0, 1, 1, 2), t0_);
  EXPECT_EQ(bad.observe(ProbeOutcome::kFailure, t0_), ProbeVerdict::kNone);
  EXPECT_EQ(bad.observe(ProbeOutcome::kFailure, t0_ + seconds(1)), ProbeVerdict::kKill);
  EXPECT_FALSE(bad.success());
  EXPECT_TRUE(bad.done());
}

TEST_F(ProbeWorkerTest, TimeoutAndPeriodHaveFloorsOfOneSecond) {
  api::Probe p = probe(0, 0);
  p.timeoutSeconds = 0;
  ProbeWorker w(ProbeKind::kReadiness, p, t0_);
  EXPECT_EQ(w.timeout(), std::chrono::milliseconds(1000));
  w.observe(ProbeOutcome::kSuccess, t0_);
  EXPECT_EQ(w.due(), t0_ + seconds(1));
}

}  // namespace
}  // namespace berth::agent
