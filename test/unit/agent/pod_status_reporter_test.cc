#include "agent/pod_status_reporter.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace berth::agent {
namespace {

using namespace std::chrono_literals;

api::Pod pod(const std::string& uid, const std::string& phase) {
  api::Pod p;
  p.metadata.name = "pod-" + uid;
  p.metadata.namespace_ = "default";
  p.metadata.uid = uid;
  p.status.phase = phase;
  return p;
}

// A sender that records what it was given and can be held (a slow server) or made to fail.
class FakeServer {
 public:
  PodStatusReporter::Sender sender() {
    return [this](const api::Pod& p) -> Status {
      std::unique_lock lock(mu_);
      calls_.push_back(p.metadata.uid + ":" + p.status.phase);
      cv_.notify_all();
      cv_.wait(lock, [this] { return !held_; });
      if (!failures_.empty()) {
        auto code = failures_.front();
        failures_.erase(failures_.begin());
        return fail(code, "injected");
      }
      return ok();
    };
  }
  void hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  void failNext(ErrorCode code) {
    std::lock_guard lock(mu_);
    failures_.push_back(code);
  }
  bool waitForCalls(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return calls_.size() >= n; });
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  std::vector<ErrorCode> failures_;
  std::vector<std::string> calls_;
};

bool waitIdle(const PodStatusReporter& r) {
  for (int i = 0; i < 500; ++i) {
    if (r.idle()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(PodStatusReporterTest, CoalescesToTheLatestStatusWhileASendIsInFlight) {
  FakeServer server;
  PodStatusReporter reporter(server.sender());
  reporter.start();
  server.hold();
  reporter.update(pod("a", "Pending"), "api");
  ASSERT_TRUE(server.waitForCalls(1));
  // While the first send hangs, five more changes arrive.
  for (const char* phase : {"Pending2", "Pending3", "Running", "Running2", "Succeeded"}) {
    reporter.update(pod("a", phase), "api");
  }
  server.release();
  ASSERT_TRUE(waitIdle(reporter));
  EXPECT_EQ(server.calls(), (std::vector<std::string>{"a:Pending", "a:Succeeded"}));
  EXPECT_EQ(reporter.sent(), 2u);
}

TEST(PodStatusReporterTest, UpdateNeverBlocksOnTheServer) {
  FakeServer server;
  PodStatusReporter reporter(server.sender(), {.senders = 1});
  reporter.start();
  server.hold();
  reporter.update(pod("a", "Pending"), "api");
  ASSERT_TRUE(server.waitForCalls(1));
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    reporter.update(pod("b" + std::to_string(i % 3), "Running" + std::to_string(i)), "api");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  server.release();
  ASSERT_TRUE(waitIdle(reporter));
  // One send for "a", then one per other pod with its latest status.
  auto calls = server.calls();
  EXPECT_EQ(calls.size(), 4u);
  EXPECT_NE(std::find(calls.begin(), calls.end(), "b0:Running99"), calls.end());
}

TEST(PodStatusReporterTest, IgnoresOtherSourcesAndUnchangedStatus) {
  FakeServer server;
  PodStatusReporter reporter(server.sender());
  reporter.start();
  reporter.update(pod("static", "Running"), "file:/etc/berth/manifests");
  reporter.update(pod("a", "Running"), "api");
  ASSERT_TRUE(server.waitForCalls(1));
  ASSERT_TRUE(waitIdle(reporter));
  reporter.update(pod("a", "Running"), "api");  // same status again: nothing to send
  ASSERT_TRUE(waitIdle(reporter));
  EXPECT_EQ(server.calls(), (std::vector<std::string>{"a:Running"}));
}

TEST(PodStatusReporterTest, RetriesWithBackOffAndDropsVanishedPods) {
  FakeServer server;
  PodStatusReporter reporter(server.sender(), {.retryInitial = 50ms, .retryMax = 200ms});
  reporter.start();
  server.failNext(ErrorCode::kUnavailable);
  server.failNext(ErrorCode::kUnavailable);
  auto t0 = std::chrono::steady_clock::now();
  reporter.update(pod("a", "Running"), "api");
  ASSERT_TRUE(server.waitForCalls(3));
  ASSERT_TRUE(waitIdle(reporter));
  // Back-off of 50 ms, then 100 ms.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
  EXPECT_EQ(server.calls().size(), 3u);
  EXPECT_EQ(reporter.sent(), 1u);

  server.failNext(ErrorCode::kNotFound);
  reporter.update(pod("gone", "Running"), "api");
  ASSERT_TRUE(server.waitForCalls(4));
  ASSERT_TRUE(waitIdle(reporter));
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(server.calls().size(), 4u);  // not retried
}

TEST(PodStatusReporterTest, ForgetDropsPendingStatus) {
  FakeServer server;
  PodStatusReporter reporter(server.sender(), {.senders = 1});
  reporter.start();
  server.hold();
  reporter.update(pod("a", "Running"), "api");
  ASSERT_TRUE(server.waitForCalls(1));
  reporter.update(pod("b", "Running"), "api");
  reporter.forget("b");
  server.release();
  ASSERT_TRUE(waitIdle(reporter));
  EXPECT_EQ(server.calls(), (std::vector<std::string>{"a:Running"}));
}

TEST(PodStatusReporterTest, SendsUpToSendersPodsAtOnce) {
  FakeServer server;
  PodStatusReporter reporter(server.sender(), {.senders = 2});
  reporter.start();
  server.hold();
  for (const char* uid : {"a", "b", "c"}) {
    reporter.update(pod(uid, "Running"), "api");
  }
  // Two requests hang at the server at the same time; the third waits for one of them.
  ASSERT_TRUE(server.waitForCalls(2));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server.calls().size(), 2u);
  server.release();
  ASSERT_TRUE(waitIdle(reporter));
  EXPECT_EQ(server.calls().size(), 3u);
}

TEST(PodStatusReporterTest, APodForgottenAndReportedAgainIsNotSentTwiceAtOnce) {
  FakeServer server;
  PodStatusReporter reporter(server.sender(), {.senders = 2});
  reporter.start();
  server.hold();
  reporter.update(pod("a", "Pending"), "api");
  ASSERT_TRUE(server.waitForCalls(1));
  reporter.forget("a");
  reporter.update(pod("a", "Running"), "api");
  // The second sender is free, but "a" is still in flight: its next status waits.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server.calls().size(), 1u);
  server.release();
  ASSERT_TRUE(waitIdle(reporter));
  EXPECT_EQ(server.calls(), (std::vector<std::string>{"a:Pending", "a:Running"}));
}

TEST(PodStatusReporterTest, SendsThePodWaitingLongestFirst) {
  FakeServer server;
  PodStatusReporter reporter(server.sender(), {.senders = 1});
  reporter.start();
  server.hold();
  reporter.update(pod("z", "Running"), "api");
  ASSERT_TRUE(server.waitForCalls(1));
  // These wait in the order c, b, a: the order of their changes, not of their uids.
  for (const char* uid : {"c", "b", "a"}) {
    reporter.update(pod(uid, "Running"), "api");
    std::this_thread::sleep_for(2ms);
  }
  server.release();
  ASSERT_TRUE(waitIdle(reporter));
  EXPECT_EQ(server.calls(),
            (std::vector<std::string>{"z:Running", "c:Running", "b:Running", "a:Running"}));
}

}  // namespace
}  // namespace berth::agent
