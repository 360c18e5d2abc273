#include "agent/prober.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace berth::agent {
namespace {

using namespace std::chrono_literals;

// Answers each probe by the first word of its exec command ("startup", "live", "ready").
class FakeExecutor final : public ProbeExecutor {
 public:
  ProbeRun run(const api::Probe& probe, const ProbeTarget& target,
               std::chrono::milliseconds) override {
    std::lock_guard lock(mu_);
    const std::string& what = probe.exec->command.at(0);
    ++calls_[what];
    lastTarget_ = target;
    auto it = outcomes_.find(what);
    ProbeOutcome outcome = it == outcomes_.end() ? ProbeOutcome::kSuccess : it->second;
    return ProbeRun{outcome, outcome == ProbeOutcome::kFailure ? "boom" : "ok"};
  }
  void set(const std::string& what, ProbeOutcome outcome) {
    std::lock_guard lock(mu_);
    outcomes_[what] = outcome;
  }
  int calls(const std::string& what) {
    std::lock_guard lock(mu_);
    return calls_[what];
  }

 private:
  std::mutex mu_;
  std::map<std::string, ProbeOutcome> outcomes_;
  std::map<std::string, int> calls_;
  ProbeTarget lastTarget_;
};

class FakeSink final : public EventSink {
 public:
  void record(const api::Pod& pod, PodEvent event) override {
    std::lock_guard lock(mu_);
    events_.push_back(pod.metadata.name + " " + event.reason + " " + event.fieldPath + " " +
                      event.message);
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> events_;
};

api::Probe execProbe(const std::string& what, int failureThreshold = 1) {
  api::Probe p;
  p.exec = api::ExecAction{{what}};
  p.periodSeconds = 1;
  p.failureThreshold = failureThreshold;
  return p;
}

bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

class ProberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pod_.metadata.name = "web";
    pod_.metadata.namespace_ = "default";
    pod_.metadata.uid = "u1";
    api::Container c;
    c.name = "main";
    pod_.spec.containers.push_back(c);
    ProberCallbacks callbacks;
    callbacks.changed = [this](const std::string& uid) {
      std::lock_guard lock(mu_);
      changed_.push_back(uid);
    };
    callbacks.kill = [this](const std::string& uid, const std::string& container,
                            const std::string& runtimeId, ProbeKind kind) {
      std::lock_guard lock(mu_);
      kills_.push_back(uid + "/" + container + "/" + runtimeId + "/" + probeKindName(kind));
    };
    prober_.setCallbacks(callbacks);
    prober_.setEventSink(sink_);
    prober_.start();
  }

  std::vector<ProbeTarget> running(const std::string& runtimeId = "id1") {
    ProbeTarget t;
    t.container = "main";
    t.runtimeId = runtimeId;
    t.podIP = "10.0.0.9";
    t.startedAt = clock_.now();
    return {t};
  }

  std::vector<std::string> kills() {
    std::lock_guard lock(mu_);
    return kills_;
  }
  size_t changes() {
    std::lock_guard lock(mu_);
    return changed_.size();
  }

  RealClock clock_;
  FakeExecutor executor_;
  std::shared_ptr<FakeSink> sink_ = std::make_shared<FakeSink>();
  Prober prober_{executor_, clock_};
  api::Pod pod_;
  std::mutex mu_;
  std::vector<std::string> changed_;
  std::vector<std::string> kills_;
};

TEST_F(ProberTest, ReadinessStartsFalseAndTurnsTrueOnSuccess) {
  pod_.spec.containers[0].readinessProbe = execProbe("ready");
  prober_.update(pod_, running());
  auto first = prober_.status("u1");
  ASSERT_EQ(first.count("main"), 1u);
  EXPECT_EQ(first["main"].runtimeId, "id1");
  EXPECT_TRUE(first["main"].started);
  // The first success comes at once (no initial delay) and is announced.
  ASSERT_TRUE(waitFor([&] { return prober_.status("u1")["main"].ready; }));
  EXPECT_TRUE(waitFor([&] { return changes() >= 1; }));
  // Failing: not ready any more, with an event per failure.
  executor_.set("ready", ProbeOutcome::kFailure);
  ASSERT_TRUE(waitFor([&] { return !prober_.status("u1")["main"].ready; }));
  EXPECT_TRUE(kills().empty());
  auto events = sink_->events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0], "web Unhealthy spec.containers{main} Readiness probe failed: boom");
}

TEST_F(ProberTest, LivenessFailureAsksForAKillOnce) {
  pod_.spec.containers[0].livenessProbe = execProbe("live", /*failureThreshold=*/2);
  executor_.set("live", ProbeOutcome::kFailure);
  prober_.update(pod_, running());
  ASSERT_TRUE(waitFor([&] { return !kills().empty(); }));
  EXPECT_EQ(kills()[0], "u1/main/id1/Liveness");
  EXPECT_GE(executor_.calls("live"), 2);  // the threshold was respected
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(kills().size(), 1u);  // on hold until a new instance
  int calls = executor_.calls("live");
  // The restarted instance gets a worker of its own; the old one is dropped.
  executor_.set("live", ProbeOutcome::kSuccess);
  prober_.update(pod_, running("id2"));
  EXPECT_EQ(prober_.workers(), 1u);
  EXPECT_TRUE(waitFor([&] { return executor_.calls("live") > calls; }));
  EXPECT_EQ(kills().size(), 1u);
  auto events = sink_->events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0], "web Unhealthy spec.containers{main} Liveness probe failed: boom");
}

TEST_F(ProberTest, StartupProbeGatesLivenessAndReadiness) {
  auto& c = pod_.spec.containers[0];
  c.startupProbe = execProbe("startup", 100);
  c.livenessProbe = execProbe("live");
  c.readinessProbe = execProbe("ready");
  executor_.set("startup", ProbeOutcome::kFailure);
  executor_.set("live", ProbeOutcome::kFailure);
  prober_.update(pod_, running());
  ASSERT_TRUE(waitFor([&] { return executor_.calls("startup") >= 2; }));
  EXPECT_EQ(executor_.calls("live"), 0);
  EXPECT_EQ(executor_.calls("ready"), 0);
  EXPECT_FALSE(prober_.status("u1")["main"].started);
  EXPECT_FALSE(prober_.status("u1")["main"].ready);
  executor_.set("startup", ProbeOutcome::kSuccess);
  executor_.set("live", ProbeOutcome::kSuccess);
  ASSERT_TRUE(waitFor([&] { return prober_.status("u1")["main"].started; }));
  // Readiness runs right after the start, not a period later.
  EXPECT_TRUE(waitFor([&] { return prober_.status("u1")["main"].ready; }, 500ms));
  int startups = executor_.calls("startup");
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(executor_.calls("startup"), startups);  // a started container is not re-checked
  EXPECT_GE(executor_.calls("live"), 1);
}

TEST_F(ProberTest, StoppedContainersAndRemovedPodsLoseTheirWorkers) {
  auto& c = pod_.spec.containers[0];
  c.livenessProbe = execProbe("live");
  c.readinessProbe = execProbe("ready");
  prober_.update(pod_, running());
  EXPECT_EQ(prober_.workers(), 2u);
  prober_.update(pod_, running());  // the same instance: nothing new
  EXPECT_EQ(prober_.workers(), 2u);
  prober_.update(pod_, {});  // stopped
  EXPECT_EQ(prober_.workers(), 0u);
  EXPECT_TRUE(prober_.status("u1").empty());
  prober_.update(pod_, running("id2"));
  EXPECT_EQ(prober_.workers(), 2u);
  prober_.remove("u1");
  EXPECT_EQ(prober_.workers(), 0u);
  int calls = executor_.calls("live");
  std::this_thread::sleep_for(1200ms);
  EXPECT_LE(executor_.calls("live"), calls + 1);  // at most one that was in flight
}

TEST_F(ProberTest, ContainersWithoutProbesHaveNoWorkers) {
  prober_.update(pod_, running());
  EXPECT_EQ(prober_.workers(), 0u);
  EXPECT_TRUE(prober_.status("u1").empty());
}

}  // namespace
}  // namespace berth::agent
