#include "agent/pod_status.h"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

using runtime::ContainerState;
using runtime::ContainerStatus;

class PodStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    record_.pod.metadata.name = "p";
    record_.pod.metadata.namespace_ = "default";
    record_.pod.metadata.uid = "u";
    record_.pod.spec.restartPolicy = "Always";
    record_.sandboxCreated = true;
    record_.podIP = "10.88.0.5";
    in_.record = &record_;
    in_.now = "2026-11-29T00:00:10Z";
    in_.nowMs = 10'000;
  }

  ContainerRecord& add(const std::string& name, bool init = false) {
    ContainerRecord c;
    c.name = name;
    c.init = init;
    c.image = "img";
    record_.containers.push_back(c);
    return record_.containers.back();
  }

  void live(size_t i, ContainerStatus s, int exitCode = 0, bool oom = false) {
    record_.containers[i].started = true;
    record_.containers[i].runtimeId = "id" + std::to_string(i);
    ContainerState st;
    st.status = s;
    st.exitCode = exitCode;
    st.oomKilled = oom;
    st.startedAt = "2026-11-29T00:00:01Z";
    in_.live[i] = st;
  }

  const api::PodCondition* cond(const api::PodStatus& st, const std::string& type) {
    for (const auto& c : st.conditions) {
      if (c.type == type) {
        return &c;
      }
    }
    return nullptr;
  }

  PodRecord record_;
  StatusInputs in_;
};

TEST_F(PodStatusTest, NotYetStartedIsPendingContainerCreating) {
  add("a");
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.phase, "Pending");
  ASSERT_EQ(st.containerStatuses.size(), 1u);
  EXPECT_EQ(st.containerStatuses[0].state.waiting->reason, "ContainerCreating");
  EXPECT_EQ(st.podIP, "10.88.0.5");
  EXPECT_EQ(cond(st, "Ready")->status, "False");
}

TEST_F(PodStatusTest, RunningIsReady) {
  add("a");
  live(0, ContainerStatus::kRunning);
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.phase, "Running");
  EXPECT_TRUE(st.containerStatuses[0].ready);
  EXPECT_EQ(st.containerStatuses[0].containerID, "berth://id0");
  EXPECT_EQ(cond(st, "Ready")->status, "True");
  EXPECT_EQ(cond(st, "ContainersReady")->status, "True");
}

TEST_F(PodStatusTest, NeverPolicyFailureIsFailedWithExitCode) {
  record_.pod.spec.restartPolicy = "Never";
  add("a");
  live(0, ContainerStatus::kExited, 3);
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.phase, "Failed");
  ASSERT_TRUE(st.containerStatuses[0].state.terminated);
  EXPECT_EQ(st.containerStatuses[0].state.terminated->exitCode, 3);
  EXPECT_EQ(st.containerStatuses[0].state.terminated->reason, "Error");
}

TEST_F(PodStatusTest, SucceededWhenAllCompleteAndNoRestart) {
  record_.pod.spec.restartPolicy = "OnFailure";
  add("a");
  live(0, ContainerStatus::kExited, 0);
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.phase, "Succeeded");
  EXPECT_EQ(st.containerStatuses[0].state.terminated->reason, "Completed");
  EXPECT_EQ(cond(st, "Ready")->reason, "PodCompleted");
}

TEST_F(PodStatusTest, OomKilledReason) {
  record_.pod.spec.restartPolicy = "Never";
  add("a");
  live(0, ContainerStatus::kExited, 137, true);
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.containerStatuses[0].state.terminated->reason, "OOMKilled");
}

TEST_F(PodStatusTest, BackOffShowsCrashLoopWithLastState) {
  auto& c = add("a");
  c.backoffUntilMs = 20'000;
  c.backoffDelayMs = 10'000;
  c.restartCount = 2;
  live(0, ContainerStatus::kExited, 1);
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.phase, "Running");
  const auto& cs = st.containerStatuses[0];
  ASSERT_TRUE(cs.state.waiting);
  EXPECT_EQ(cs.state.waiting->reason, "CrashLoopBackOff");
  EXPECT_EQ(cs.lastState.terminated->exitCode, 1);
  EXPECT_EQ(cs.restartCount, 2);
}

TEST_F(PodStatusTest, WaitingReasonFromRecord) {
  auto& c = add("a");
  c.waitingReason = "ErrImagePull";
  c.waitingMessage = "manifest unknown";
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.containerStatuses[0].state.waiting->reason, "ErrImagePull");
  EXPECT_EQ(st.containerStatuses[0].state.waiting->message, "manifest unknown");
}

TEST_F(PodStatusTest, InitContainersGateThePod) {
  add("init", true);
  add("main");
  live(0, ContainerStatus::kRunning);
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.phase, "Pending");
  EXPECT_EQ(st.containerStatuses[0].state.waiting->reason, "PodInitializing");
  EXPECT_EQ(cond(st, "Initialized")->status, "False");
  live(0, ContainerStatus::kExited, 0);
  live(1, ContainerStatus::kRunning);
  st = computePodStatus(in_);
  EXPECT_EQ(st.phase, "Running");
  EXPECT_EQ(cond(st, "Initialized")->status, "True");
}

TEST_F(PodStatusTest, FailedInitWithNeverFailsThePod) {
  record_.pod.spec.restartPolicy = "Never";
  add("init", true);
  add("main");
  live(0, ContainerStatus::kExited, 1);
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.phase, "Failed");
}

TEST_F(PodStatusTest, InvalidPodIsFailedWithMessage) {
  record_.invalidReason = "Invalid";
  record_.invalidMessage = "Pod \"x\" is invalid: spec.containers: Required value";
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.phase, "Failed");
  EXPECT_EQ(st.reason, "Invalid");
  EXPECT_EQ(st.message, record_.invalidMessage);
}

TEST_F(PodStatusTest, ReadinessProbeDecidesReadyForItsInstanceOnly) {
  add("a");
  api::Container spec;
  spec.name = "a";
  spec.readinessProbe = api::Probe{};
  record_.pod.spec.containers.push_back(spec);
  live(0, ContainerStatus::kRunning);
  // No result yet: not ready until the first success.
  auto st = computePodStatus(in_);
  EXPECT_FALSE(st.containerStatuses[0].ready);
  EXPECT_EQ(st.containerStatuses[0].started, true);
  EXPECT_EQ(cond(st, "Ready")->status, "False");
  EXPECT_EQ(cond(st, "Ready")->reason, "ContainersNotReady");
  EXPECT_EQ(cond(st, "Ready")->message, "containers with unready status: [a]");
  EXPECT_EQ(cond(st, "ContainersReady")->status, "False");
  // A result about an older instance does not count.
  in_.probes["a"] = ContainerProbeStatus{"old", true, true};
  EXPECT_FALSE(computePodStatus(in_).containerStatuses[0].ready);
  in_.probes["a"] = ContainerProbeStatus{"id0", true, true};
  api::PodStatus previous = st;
  in_.previous = &previous;
  in_.now = "2026-11-29T00:00:20Z";
  st = computePodStatus(in_);
  EXPECT_TRUE(st.containerStatuses[0].ready);
  EXPECT_EQ(cond(st, "Ready")->status, "True");
  EXPECT_EQ(cond(st, "Ready")->message, "");
  EXPECT_EQ(cond(st, "Ready")->lastTransitionTime, "2026-11-29T00:00:20Z");
  // No transition: the time stays.
  previous = st;
  in_.now = "2026-11-29T00:00:30Z";
  st = computePodStatus(in_);
  EXPECT_EQ(cond(st, "Ready")->lastTransitionTime, "2026-11-29T00:00:20Z");
  EXPECT_EQ(cond(st, "ContainersReady")->lastTransitionTime, "2026-11-29T00:00:20Z");
}

TEST_F(PodStatusTest, StartupProbeGatesStartedAndReady) {
  add("a");
  api::Container spec;
  spec.name = "a";
  spec.startupProbe = api::Probe{};
  record_.pod.spec.containers.push_back(spec);
  live(0, ContainerStatus::kRunning);
  auto st = computePodStatus(in_);
  EXPECT_EQ(st.containerStatuses[0].started, false);
  EXPECT_FALSE(st.containerStatuses[0].ready);
  EXPECT_EQ(st.phase, "Running");
  in_.probes["a"] = ContainerProbeStatus{"id0", true, true};
  st = computePodStatus(in_);
  EXPECT_EQ(st.containerStatuses[0].started, true);
  EXPECT_TRUE(st.containerStatuses[0].ready);
}

TEST(ShouldRestartTest, Policies) {
  EXPECT_TRUE(shouldRestart("Always", false, 0));
  EXPECT_TRUE(shouldRestart("Always", false, 1));
  EXPECT_FALSE(shouldRestart("OnFailure", false, 0));
  EXPECT_TRUE(shouldRestart("OnFailure", false, 2));
  EXPECT_FALSE(shouldRestart("Never", false, 2));
  EXPECT_FALSE(shouldRestart("Always", true, 0));  // a finished init container stays finished
  EXPECT_TRUE(shouldRestart("Always", true, 1));
  EXPECT_FALSE(shouldRestart("Never", true, 1));
}

}  // namespace
}  // namespace berth::agent
