#include "scheduler/scheduling_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "fake_writer.h"
#include "scheduler/plugins.h"
#include "test_objects.h"

namespace berth::scheduler {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::FakeWriter;
using testing::makePod;

class SchedulingQueueTest : public ::testing::Test {
 protected:
  PodInfoPtr pod(const std::string& name, int priority = 0,
                 const std::string& created = "2026-01-01T00:00:00Z") {
    auto p = makePod(name);
    p["spec"]["priority"] = priority;
    p["metadata"]["creationTimestamp"] = created;
    return parsePod(p);
  }
  std::string popName() {
    auto info = queue_.tryPop();
    return info ? info->pod->name : "";
  }
  // Pops `name` and reports it unschedulable, rejected by `plugin`.
  void failUnschedulable(const std::string& plugin) {
    auto info = queue_.tryPop();
    ASSERT_TRUE(info);
    info->unschedulablePlugins = {plugin};
    queue_.addUnschedulable(std::move(*info));
  }

  FakeClock clock_;
  FakeWriter writer_;
  Framework framework_{defaultProfile(writer_)};
  SchedulingQueue queue_{framework_, clock_};
};

TEST_F(SchedulingQueueTest, OrdersByPriorityThenCreationThenArrival) {
  queue_.add(pod("old-low", 0, "2026-01-01T00:00:00Z"));
  queue_.add(pod("new-high", 10, "2026-01-02T00:00:00Z"));
  queue_.add(pod("new-low", 0, "2026-01-02T00:00:00Z"));
  queue_.add(pod("older-low", 0, "2025-12-31T00:00:00Z"));
  queue_.add(pod("new-low-2", 0, "2026-01-02T00:00:00Z"));
  EXPECT_EQ(popName(), "new-high");
  EXPECT_EQ(popName(), "older-low");
  EXPECT_EQ(popName(), "old-low");
  EXPECT_EQ(popName(), "new-low");
  EXPECT_EQ(popName(), "new-low-2");
  EXPECT_EQ(popName(), "");
}

TEST_F(SchedulingQueueTest, UnschedulablePodWaitsForAnEventThatMayHelp) {
  queue_.add(pod("p"));
  failUnschedulable("NodeResourcesFit");
  EXPECT_EQ(queue_.unschedulableCount(), 1u);
  clock_.advance(60s);  // back-off long over, but no event
  EXPECT_EQ(popName(), "");

  // A label change cannot help a pod that lacked resources.
  queue_.onEvent({EventResource::kNode, kUpdateNodeLabel});
  EXPECT_EQ(popName(), "");
  // A deleted assigned pod frees resources.
  queue_.onEvent({EventResource::kAssignedPod, kDelete});
  EXPECT_EQ(queue_.unschedulableCount(), 0u);
  EXPECT_EQ(popName(), "p");
}

TEST_F(SchedulingQueueTest, NodeAddMovesPodsStillBackingOffToBackoffQ) {
  queue_.add(pod("p"));
  failUnschedulable("TaintToleration");
  queue_.onEvent({EventResource::kNode, kAdd});
  EXPECT_EQ(queue_.backoffCount(), 1u);  // 1 s back-off after the first attempt
  EXPECT_EQ(popName(), "");
  clock_.advance(999ms);
  EXPECT_EQ(popName(), "");
  clock_.advance(1ms);
  EXPECT_EQ(popName(), "p");
}

TEST_F(SchedulingQueueTest, FlushesUnschedulablePodsAfterFiveMinutes) {
  queue_.add(pod("p"));
  failUnschedulable("NodeAffinity");
  clock_.advance(299s);
  EXPECT_EQ(popName(), "");
  clock_.advance(1s);
  EXPECT_EQ(popName(), "p");
}

TEST_F(SchedulingQueueTest, BackoffDoublesUpToTenSeconds) {
  EXPECT_EQ(queue_.backoffDuration(1), 1s);
  EXPECT_EQ(queue_.backoffDuration(2), 2s);
  EXPECT_EQ(queue_.backoffDuration(3), 4s);
  EXPECT_EQ(queue_.backoffDuration(4), 8s);
  EXPECT_EQ(queue_.backoffDuration(5), 10s);
  EXPECT_EQ(queue_.backoffDuration(30), 10s);

  queue_.add(pod("p"));
  for (auto expected : {1s, 2s, 4s, 8s, 10s, 10s}) {
    auto info = queue_.tryPop();
    ASSERT_TRUE(info);
    queue_.addBackoff(std::move(*info));
    clock_.advance(expected - 1ms);
    EXPECT_EQ(popName(), "") << expected.count();
    clock_.advance(1ms);
    queue_.flush();
    EXPECT_EQ(queue_.activeCount(), 1u) << expected.count();
  }
}

TEST_F(SchedulingQueueTest, EventDuringTheCycleSendsThePodToBackoff) {
  queue_.add(pod("p"));
  auto info = queue_.tryPop();
  ASSERT_TRUE(info);
  queue_.onEvent({EventResource::kNode, kAdd});  // while "p" is being scheduled
  info->unschedulablePlugins = {"NodeResourcesFit"};
  queue_.addUnschedulable(std::move(*info));
  EXPECT_EQ(queue_.unschedulableCount(), 0u);
  EXPECT_EQ(queue_.backoffCount(), 1u);
}

TEST_F(SchedulingQueueTest, DeletedInFlightPodIsDropped) {
  queue_.add(pod("p"));
  auto info = queue_.tryPop();
  ASSERT_TRUE(info);
  queue_.remove("default/p");
  queue_.addUnschedulable(std::move(*info));
  EXPECT_FALSE(queue_.contains("default/p"));
}

TEST_F(SchedulingQueueTest, SpecUpdateOfUnschedulablePodRetriesIt) {
  queue_.add(pod("p"));
  failUnschedulable("NodeAffinity");
  clock_.advance(2s);
  auto p = makePod("p");
  p["spec"]["priority"] = 0;
  p["status"]["conditions"] = nlohmann::json::array({{{"type", "PodScheduled"}}});
  queue_.update(parsePod(p));  // status only: stays
  EXPECT_EQ(queue_.unschedulableCount(), 1u);
  p["spec"]["nodeSelector"] = {{"a", "b"}};
  queue_.update(parsePod(p));
  EXPECT_EQ(popName(), "p");
}

TEST_F(SchedulingQueueTest, PopBlocksUntilAddOrClose) {
  std::optional<QueuedPodInfo> got;
  std::thread t([&] { got = queue_.pop(); });
  std::this_thread::sleep_for(20ms);
  queue_.add(pod("p"));
  t.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->pod->name, "p");
  EXPECT_EQ(got->attempts, 1);

  std::thread t2([&] { got = queue_.pop(); });
  std::this_thread::sleep_for(20ms);
  queue_.close();
  t2.join();
  EXPECT_FALSE(got);
}

}  // namespace
}  // namespace berth::scheduler
