#include "scheduler/scheduler_core.h"

#include <gtest/gtest.h>

#include <thread>

#include "fake_writer.h"
#include "test_objects.h"

namespace berth::scheduler {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::boundTo;
using testing::FakeClock;
using testing::FakeWriter;
using testing::makeNode;
using testing::makePod;
using testing::withTaint;

class SchedulerCoreTest : public ::testing::Test {
 protected:
  SchedulerOptions options() {
    SchedulerOptions o;
    o.asyncWrites = false;
    o.seed = 42;
    return o;
  }
  // Runs cycles until nothing is active.
  int drain() {
    int n = 0;
    while (core_.scheduleOne(false)) {
      ++n;
    }
    return n;
  }

  FakeClock clock_;
  FakeWriter writer_;
  SchedulerCore core_{writer_, options(), clock_};
};

TEST_F(SchedulerCoreTest, BindsAndRecordsScheduledEvent) {
  core_.onNodeAdd(makeNode("a"));
  core_.onPodAdd(makePod("p", "1"));
  EXPECT_EQ(drain(), 1);
  EXPECT_EQ(writer_.boundNode("default/p"), "a");
  ASSERT_EQ(writer_.events.size(), 1u);
  EXPECT_EQ(writer_.events[0].a, "Normal");
  EXPECT_EQ(writer_.events[0].b, "Scheduled");
  EXPECT_EQ(writer_.events[0].c, "Successfully assigned default/p to a");
  EXPECT_TRUE(core_.cache().isAssumed("default/p"));
  // The watch confirms the binding.
  json bound = boundTo(makePod("p", "1"), "a");
  core_.onPodUpdate(makePod("p", "1"), bound);
  EXPECT_FALSE(core_.cache().isAssumed("default/p"));
  EXPECT_TRUE(core_.cache().hasPod("default/p"));
}

TEST_F(SchedulerCoreTest, AssumedPodsCountAgainstCapacity) {
  core_.onNodeAdd(makeNode("a", "2"));
  core_.onNodeAdd(makeNode("b", "2"));
  core_.onPodAdd(makePod("p1", "1500m"));
  core_.onPodAdd(makePod("p2", "1500m"));
  EXPECT_EQ(drain(), 2);
  ASSERT_EQ(writer_.binds.size(), 2u);
  EXPECT_NE(writer_.boundNode("default/p1"), writer_.boundNode("default/p2"));
}

TEST_F(SchedulerCoreTest, IgnoresOtherSchedulersDeletingAndAssignedPods) {
  core_.onNodeAdd(makeNode("a"));
  auto other = makePod("other");
  other["spec"]["schedulerName"] = "my-scheduler";
  auto deleting = makePod("deleting");
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  core_.onPodAdd(other);
  core_.onPodAdd(deleting);
  core_.onPodAdd(boundTo(makePod("assigned", "1"), "a"));
  EXPECT_EQ(drain(), 0);
  EXPECT_TRUE(writer_.binds.empty());
  EXPECT_TRUE(core_.cache().hasPod("default/assigned"));
}

TEST_F(SchedulerCoreTest, UnschedulableWritesConditionAndEventOnceThenRetriesOnNodeAdd) {
  core_.onNodeAdd(
      withTaint(makeNode("cp"), "node-role.kubernetes.io/control-plane", "", "NoSchedule"));
  core_.onNodeAdd(makeNode("small", "1"));
  core_.onPodAdd(makePod("p", "2"));
  EXPECT_EQ(drain(), 1);
  const std::string message =
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint "
      "{node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 2 "
      "Preemption is not helpful for scheduling.";
  ASSERT_EQ(writer_.conditions.size(), 1u);
  EXPECT_EQ(writer_.conditions[0].a, "Unschedulable");
  EXPECT_EQ(writer_.conditions[0].b, message);
  ASSERT_EQ(writer_.events.size(), 1u);
  EXPECT_EQ(writer_.events[0].a, "Warning");
  EXPECT_EQ(writer_.events[0].b, "FailedScheduling");
  EXPECT_EQ(writer_.events[0].c, message);

  // Not retried without an event, even long after its back-off.
  clock_.advance(30s);
  EXPECT_EQ(drain(), 0);
  // An unrelated node change (heartbeat) does not move it either.
  auto small = makeNode("small", "1");
  auto beat = small;
  beat["status"]["conditions"][0]["lastHeartbeatTime"] = "2026-01-01T00:00:10Z";
  core_.onNodeUpdate(small, beat);
  EXPECT_EQ(drain(), 0);

  // A new node that still does not fit: retried, same message, no new condition/event.
  core_.onNodeAdd(makeNode("small2", "1"));
  EXPECT_EQ(drain(), 1);
  EXPECT_EQ(writer_.events.size(), 2u);  // message changed: 0/3 now
  clock_.advance(30s);
  core_.onNodeUpdate(small, beat);
  auto grown = makeNode("small2", "1");
  grown["metadata"]["labels"]["x"] = "y";  // labels: NodeResourcesFit does not care
  core_.onNodeUpdate(makeNode("small2", "1"), grown);
  EXPECT_EQ(drain(), 0);
  core_.onNodeUpdate(makeNode("small2", "1"), makeNode("small2", "1500m"));
  EXPECT_EQ(drain(), 1);  // allocatable changed: retried, same message
  EXPECT_EQ(writer_.events.size(), 2u);
  EXPECT_EQ(writer_.conditions.size(), 2u);

  // Enough room at last.
  clock_.advance(30s);
  core_.onNodeUpdate(makeNode("small2", "1500m"), makeNode("small2", "4"));
  EXPECT_EQ(drain(), 1);
  EXPECT_EQ(writer_.boundNode("default/p"), "small2");
}

TEST_F(SchedulerCoreTest, DeletedAssignedPodFreesRoomForWaitingPod) {
  core_.onNodeAdd(makeNode("a", "2"));
  auto running = boundTo(makePod("running", "1500m"), "a");
  core_.onPodAdd(running);
  core_.onPodAdd(makePod("p", "1"));
  EXPECT_EQ(drain(), 1);
  EXPECT_TRUE(writer_.binds.empty());
  clock_.advance(5s);
  core_.onPodDelete(running);
  EXPECT_EQ(drain(), 1);
  EXPECT_EQ(writer_.boundNode("default/p"), "a");
}

TEST_F(SchedulerCoreTest, FinishedPodsDoNotHoldResources) {
  core_.onNodeAdd(makeNode("a", "2"));
  auto running = boundTo(makePod("job", "1500m"), "a");
  core_.onPodAdd(running);
  core_.onPodAdd(makePod("p", "1"));
  EXPECT_EQ(drain(), 1);
  clock_.advance(5s);
  auto done = running;
  done["status"]["phase"] = "Succeeded";
  core_.onPodUpdate(running, done);
  EXPECT_EQ(drain(), 1);
  EXPECT_EQ(writer_.boundNode("default/p"), "a");
}

TEST_F(SchedulerCoreTest, FailedBindForgetsAssumptionAndRetriesAfterBackoff) {
  core_.onNodeAdd(makeNode("a", "2"));
  writer_.failBinds = 1;
  core_.onPodAdd(makePod("p", "1500m"));
  EXPECT_EQ(drain(), 1);
  EXPECT_FALSE(core_.cache().hasPod("default/p"));
  ASSERT_EQ(writer_.events.size(), 1u);
  EXPECT_EQ(writer_.events[0].b, "FailedScheduling");
  EXPECT_EQ(writer_.events[0].c, "running Bind plugin \"DefaultBinder\": connection refused");
  EXPECT_EQ(drain(), 0);  // backing off
  clock_.advance(1s);
  EXPECT_EQ(drain(), 1);
  EXPECT_EQ(writer_.boundNode("default/p"), "a");
}

TEST_F(SchedulerCoreTest, NoNodesMessage) {
  core_.onPodAdd(makePod("p"));
  EXPECT_EQ(drain(), 1);
  ASSERT_EQ(writer_.conditions.size(), 1u);
  EXPECT_EQ(writer_.conditions[0].b, "no nodes available to schedule pods");
  core_.onNodeAdd(makeNode("a"));
  clock_.advance(1s);
  EXPECT_EQ(drain(), 1);
  EXPECT_EQ(writer_.boundNode("default/p"), "a");
}

TEST_F(SchedulerCoreTest, ConditionFromBeforeARestartSuppressesDuplicateEvent) {
  auto pod = makePod("p");
  pod["status"]["conditions"] = json::array({{{"type", "PodScheduled"},
                                              {"status", "False"},
                                              {"reason", "Unschedulable"},
                                              {"message", "no nodes available to schedule pods"}}});
  core_.onPodAdd(pod);
  EXPECT_EQ(drain(), 1);
  EXPECT_TRUE(writer_.events.empty());
  EXPECT_TRUE(writer_.conditions.empty());
}

TEST(SchedulerCoreThreadTest, LoopSchedulesWithAsyncWrites) {
  RealClock clock;
  FakeWriter writer;
  SchedulerOptions options;
  options.asyncWrites = true;
  SchedulerCore core(writer, options, clock);
  core.start();
  core.onNodeAdd(makeNode("a"));
  for (int i = 0; i < 20; ++i) {
    core.onPodAdd(makePod("p" + std::to_string(i), "100m"));
  }
  for (int i = 0; i < 200 && writer.boundNode("default/p19").empty(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  core.stop();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(writer.boundNode("default/p" + std::to_string(i)), "a") << i;
  }
}

}  // namespace
}  // namespace berth::scheduler
