#include "scheduler/scheduler_cache.h"

#include <gtest/gtest.h>

#include "test_objects.h"

namespace berth::scheduler {
namespace {

using namespace std::chrono_literals;
using testing::boundTo;
using testing::FakeClock;
using testing::makeNode;
using testing::makePod;

TEST(SchedulerCacheTest, AssumedPodsCountUntilForgotten) {
  FakeClock clock;
  SchedulerCache cache(clock, 30s);
  Snapshot snap;
  cache.addNode(parseNode(makeNode("a")));
  ASSERT_TRUE(cache.assumePod(parsePod(makePod("p", "1")), "a"));
  EXPECT_FALSE(cache.assumePod(parsePod(makePod("p", "1")), "a"));
  cache.updateSnapshot(snap);
  ASSERT_EQ(snap.nodes().size(), 1u);
  EXPECT_EQ(snap.get("a")->requested().milliCpu, 1000);
  EXPECT_TRUE(cache.isAssumed("default/p"));

  cache.forgetPod("default/p");
  cache.updateSnapshot(snap);
  EXPECT_EQ(snap.get("a")->requested().milliCpu, 0);
  EXPECT_EQ(cache.podCount(), 0u);
}

TEST(SchedulerCacheTest, WatchConfirmsAssumedPod) {
  FakeClock clock;
  SchedulerCache cache(clock, 30s);
  cache.addNode(parseNode(makeNode("a")));
  ASSERT_TRUE(cache.assumePod(parsePod(makePod("p", "1")), "a"));
  cache.finishBinding("default/p");
  cache.addPod(parsePod(boundTo(makePod("p", "1"), "a")));
  EXPECT_FALSE(cache.isAssumed("default/p"));
  clock.advance(60s);
  EXPECT_EQ(cache.cleanupExpiredAssumedPods(), 0u);
  cache.forgetPod("default/p");  // not assumed any more: stays
  EXPECT_TRUE(cache.hasPod("default/p"));
}

TEST(SchedulerCacheTest, UnconfirmedAssumedPodExpiresAfterBinding) {
  FakeClock clock;
  SchedulerCache cache(clock, 30s);
  cache.addNode(parseNode(makeNode("a")));
  ASSERT_TRUE(cache.assumePod(parsePod(makePod("p", "1")), "a"));
  clock.advance(60s);
  EXPECT_EQ(cache.cleanupExpiredAssumedPods(), 0u);  // still binding
  cache.finishBinding("default/p");
  clock.advance(29s);
  EXPECT_EQ(cache.cleanupExpiredAssumedPods(), 0u);
  clock.advance(1s);
  EXPECT_EQ(cache.cleanupExpiredAssumedPods(), 1u);
  EXPECT_FALSE(cache.hasPod("default/p"));
}

TEST(SchedulerCacheTest, PodsOfUnknownNodesWaitForTheNode) {
  FakeClock clock;
  SchedulerCache cache(clock, 30s);
  Snapshot snap;
  cache.addPod(parsePod(boundTo(makePod("p", "1"), "later")));
  cache.updateSnapshot(snap);
  EXPECT_TRUE(snap.nodes().empty());
  cache.addNode(parseNode(makeNode("later")));
  cache.updateSnapshot(snap);
  ASSERT_EQ(snap.nodes().size(), 1u);
  EXPECT_EQ(snap.get("later")->pods().size(), 1u);

  cache.removeNode("later");
  cache.updateSnapshot(snap);
  EXPECT_TRUE(snap.nodes().empty());
  EXPECT_EQ(cache.nodeCount(), 0u);
  cache.removePod("default/p");
  EXPECT_EQ(cache.podCount(), 0u);
}

TEST(SchedulerCacheTest, SnapshotCopiesOnlyChangedNodes) {
  FakeClock clock;
  SchedulerCache cache(clock, 30s);
  Snapshot snap;
  cache.addNode(parseNode(makeNode("a")));
  cache.addNode(parseNode(makeNode("b")));
  cache.updateSnapshot(snap);
  NodeInfoPtr a = snap.get("a");
  NodeInfoPtr b = snap.get("b");
  cache.addPod(parsePod(boundTo(makePod("p", "1"), "b")));
  cache.updateSnapshot(snap);
  EXPECT_EQ(snap.get("a"), a);  // unchanged: same copy
  EXPECT_NE(snap.get("b"), b);
  EXPECT_EQ(b->pods().size(), 0u);  // an old snapshot's copy does not change
  EXPECT_EQ(snap.get("b")->pods().size(), 1u);
  // A pod moving nodes (update with another nodeName) leaves the first node.
  cache.addPod(parsePod(boundTo(makePod("p", "1"), "a")));
  cache.updateSnapshot(snap);
  EXPECT_EQ(snap.get("a")->pods().size(), 1u);
  EXPECT_EQ(snap.get("b")->pods().size(), 0u);
}

}  // namespace
}  // namespace berth::scheduler
