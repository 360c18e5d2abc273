#include "client/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace berth::client {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueueTest, DeduplicatesQueuedKeys) {
  WorkQueue q;
  q.add("a");
  q.add("a");
  q.add("b");
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(*q.get(), "a");
  EXPECT_EQ(*q.get(), "b");
}

TEST(WorkQueueTest, KeyAddedWhileProcessingIsProcessedAgainAfterDone) {
  WorkQueue q;
  q.add("a");
  auto key = q.get();
  q.add("a");  // while "a" is being processed: not handed to a second worker
  EXPECT_EQ(q.size(), 0u);
  q.done(*key);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(*q.get(), "a");
}

TEST(WorkQueueTest, AddAfterDelaysTheKey) {
  WorkQueue q;
  auto start = WorkQueue::Clock::now();
  q.addAfter("later", 80ms);
  q.add("now");
  EXPECT_EQ(*q.get(), "now");
  EXPECT_EQ(*q.get(), "later");
  EXPECT_GE(WorkQueue::Clock::now() - start, 80ms);
}

TEST(WorkQueueTest, AKeyDelayedTwiceWaitsOnceForTheEarlierTime) {
  WorkQueue q;
  q.addAfter("k", 200ms);
  q.addAfter("k", 50ms);   // earlier: replaces the 200 ms wait
  q.addAfter("k", 150ms);  // later: adds nothing
  EXPECT_EQ(*q.get(), "k");
  q.done("k");
  // No second copy of "k" comes due at 150 or 200 ms: the next key out is "other".
  q.addAfter("other", 400ms);
  EXPECT_EQ(*q.get(), "other");
}

TEST(WorkQueueTest, ShutDownWakesWaiters) {
  WorkQueue q;
  std::optional<std::string> got = "unset";
  std::thread t([&] { got = q.get(); });
  std::this_thread::sleep_for(20ms);
  q.shutDown();
  t.join();
  EXPECT_FALSE(got.has_value());
}

}  // namespace
}  // namespace berth::client
