#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/sqlite_storage.h"
#include "store/watch_hub.h"
#include "unit/store/store_test_util.h"

namespace berth::store {
namespace {

class SqliteWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = openSqliteStorage(dir_.path() / "state.db");
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = *opened;
  }

  TempDir dir_;
  StoragePtr store_;
};

TEST_F(SqliteWatchTest, ReplaysHistoryThenDeliversLiveEventsWithPrev) {
  ASSERT_TRUE(store_->create("/p/a", "a1"));     // 1
  ASSERT_TRUE(store_->create("/p/b", "b1"));     // 2
  ASSERT_TRUE(store_->update("/p/a", "a2", 1));  // 3
  ASSERT_TRUE(store_->remove("/p/b", 2));        // 4

  EventSink sink;
  auto watch = store_->watch("/p/", 2, sink.callback());
  ASSERT_TRUE(watch) << watch.error().message();
  auto replayed = sink.events();
  ASSERT_EQ(replayed.size(), 3u);
  EXPECT_EQ(replayed[0].type, EventType::kPut);
  EXPECT_EQ(replayed[0].kv, (KeyValue{"/p/b", "b1", 2, 2}));
  EXPECT_FALSE(replayed[0].prev);  // a create
  EXPECT_EQ(replayed[1].kv, (KeyValue{"/p/a", "a2", 1, 3}));
  ASSERT_TRUE(replayed[1].prev);
  EXPECT_EQ(*replayed[1].prev, (KeyValue{"/p/a", "a1", 1, 1}));
  EXPECT_EQ(replayed[2].type, EventType::kDelete);
  EXPECT_EQ(replayed[2].kv, (KeyValue{"/p/b", "b1", 2, 4}));
  ASSERT_TRUE(replayed[2].prev);
  EXPECT_EQ(*replayed[2].prev, (KeyValue{"/p/b", "b1", 2, 2}));

  // Live events arrive before the write returns.
  ASSERT_TRUE(store_->update("/p/a", "a3", 0));  // 5
  ASSERT_TRUE(store_->remove("/p/a", 5));        // 6
  ASSERT_TRUE(store_->create("/p/a", "again"));  // 7
  auto events = sink.events();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[3].kv, (KeyValue{"/p/a", "a3", 1, 5}));
  EXPECT_EQ(*events[3].prev, (KeyValue{"/p/a", "a2", 1, 3}));
  EXPECT_EQ(events[4].type, EventType::kDelete);
  EXPECT_EQ(events[4].kv, (KeyValue{"/p/a", "a3", 1, 6}));
  EXPECT_EQ(*events[4].prev, (KeyValue{"/p/a", "a3", 1, 5}));
  EXPECT_EQ(events[5].kv, (KeyValue{"/p/a", "again", 7, 7}));
  EXPECT_FALSE(events[5].prev);
}

TEST_F(SqliteWatchTest, FiltersByPrefix) {
  ASSERT_TRUE(store_->create("/pods/a", "1"));
  ASSERT_TRUE(store_->create("/podsx", "1"));
  ASSERT_TRUE(store_->create("/nodes/a", "1"));
  EventSink pods;
  EventSink all;
  auto podsWatch = store_->watch("/pods/", 1, pods.callback());
  auto allWatch = store_->watch("", 1, all.callback());
  ASSERT_TRUE(podsWatch);
  ASSERT_TRUE(allWatch);
  ASSERT_TRUE(store_->create("/nodes/b", "1"));
  ASSERT_TRUE(store_->create("/pods/b", "1"));
  ASSERT_TRUE(store_->update("/podsx", "2", 0));
  auto events = pods.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kv.key, "/pods/a");
  EXPECT_EQ(events[1].kv.key, "/pods/b");
  EXPECT_EQ(all.events().size(), 6u);
}

TEST_F(SqliteWatchTest, FromZeroSeesOnlyLaterChanges) {
  ASSERT_TRUE(store_->create("a", "1"));
  EventSink sink;
  auto watch = store_->watch("", 0, sink.callback());
  ASSERT_TRUE(watch);
  EXPECT_TRUE(sink.events().empty());
  ASSERT_TRUE(store_->create("b", "1"));
  ASSERT_EQ(sink.events().size(), 1u);
  EXPECT_EQ(sink.events()[0].kv.modRevision, 2);
}

TEST_F(SqliteWatchTest, FromFutureRevisionSkipsEarlierEvents) {
  EventSink sink;
  auto watch = store_->watch("", 3, sink.callback());
  ASSERT_TRUE(watch);
  ASSERT_TRUE(store_->create("a", "1"));
  ASSERT_TRUE(store_->create("b", "1"));
  ASSERT_TRUE(store_->create("c", "1"));
  ASSERT_EQ(sink.events().size(), 1u);
  EXPECT_EQ(sink.events()[0].kv.key, "c");
}

TEST_F(SqliteWatchTest, GoneAfterCompaction) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->create(fmt::format("k{}", i), "v"));
  }
  ASSERT_TRUE(store_->compact(3));
  EventSink sink;
  for (int64_t from : {1, 2, 3}) {
    auto gone = store_->watch("", from, sink.callback());
    ASSERT_FALSE(gone) << from;
    EXPECT_EQ(gone.error().code(), ErrorCode::kGone);
  }
  auto watch = store_->watch("", 4, sink.callback());
  ASSERT_TRUE(watch) << watch.error().message();
  ASSERT_EQ(sink.events().size(), 2u);
  EXPECT_EQ(sink.events()[0].kv.key, "k3");
  // From 0 is always allowed.
  EXPECT_TRUE(store_->watch("", 0, sink.callback()));
}

TEST_F(SqliteWatchTest, ReplaysLongHistoryInBatches) {
  const size_t n = WatchHub::kReplayBatch * 2 + 3;
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(store_->create(fmt::format("k{:05}", i), "v"));
  }
  EventSink sink;
  auto watch = store_->watch("", 1, sink.callback());
  ASSERT_TRUE(watch);
  EXPECT_EQ(sink.batches(), 3u);
  auto events = sink.events();
  ASSERT_EQ(events.size(), n);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(events[i].kv.modRevision, static_cast<int64_t>(i + 1));
  }
}

TEST_F(SqliteWatchTest, CancelStopsDelivery) {
  EventSink sink;
  auto watch = store_->watch("", 0, sink.callback());
  ASSERT_TRUE(watch);
  ASSERT_TRUE(store_->create("a", "1"));
  watch->reset();
  ASSERT_TRUE(store_->create("b", "1"));
  EXPECT_EQ(sink.events().size(), 1u);
}

TEST_F(SqliteWatchTest, CancelFromAnotherThreadWaitsForRunningCallback) {
  std::atomic<bool> entered = false;
  std::atomic<bool> finished = false;
  std::atomic<int> calls = 0;
  auto watch = store_->watch("", 0, [&](const std::vector<Event>&) {
    ++calls;
    entered = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    finished = true;
  });
  ASSERT_TRUE(watch);
  std::jthread writer([&] { ASSERT_TRUE(store_->create("a", "1")); });
  while (!entered) {
    std::this_thread::yield();
  }
  watch->reset();  // blocks until the callback has returned
  EXPECT_TRUE(finished);
  writer.join();
  ASSERT_TRUE(store_->create("b", "1"));
  EXPECT_EQ(calls, 1);
}

TEST_F(SqliteWatchTest, CallbackMayCancelItsOwnWatch) {
  WatchPtr self;
  EventSink other;
  int calls = 0;
  auto watch = store_->watch("", 0, [&](const std::vector<Event>&) {
    ++calls;
    self.reset();  // must not deadlock
  });
  ASSERT_TRUE(watch);
  self = std::move(*watch);
  auto otherWatch = store_->watch("", 0, other.callback());
  ASSERT_TRUE(otherWatch);
  ASSERT_TRUE(store_->create("a", "1"));
  EXPECT_EQ(self, nullptr);
  ASSERT_TRUE(store_->create("b", "1"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(other.events().size(), 2u);  // the other watcher is unaffected
}

TEST_F(SqliteWatchTest, ThrowingCallbackDoesNotFailTheWrite) {
  auto watch =
      store_->watch("", 0, [](const std::vector<Event>&) { throw std::runtime_error("x"); });
  ASSERT_TRUE(watch);
  EXPECT_TRUE(store_->create("a", "1"));
  EXPECT_EQ(store_->get("a")->value, "1");
}

TEST_F(SqliteWatchTest, WatchMayOutliveTheStorage) {
  EventSink sink;
  auto watch = store_->watch("", 0, sink.callback());
  ASSERT_TRUE(watch);
  store_.reset();
  watch->reset();
  EXPECT_TRUE(sink.events().empty());
}

TEST_F(SqliteWatchTest, WatchesRegisteredDuringWritesMissAndRepeatNothing) {
  // Two writers run while watches are registered from the revision just seen: each watch must
  // see every revision from its start to the end exactly once, in order.
  std::atomic<bool> done = false;
  auto write = [&](std::string prefix) {
    for (int i = 0; !done; ++i) {
      ASSERT_TRUE(store_->create(fmt::format("{}{}", prefix, i), "v"));
    }
  };
  std::jthread writer1(write, "a");
  std::jthread writer2(write, "b");
  while (store_->revision() < 3) {
    std::this_thread::yield();
  }
  std::vector<std::unique_ptr<EventSink>> sinks;
  std::vector<WatchPtr> watches;
  std::vector<int64_t> starts;
  for (int i = 0; i < 20; ++i) {
    int64_t from = store_->revision() + 1 - (i % 3);  // some replay a little history
    sinks.push_back(std::make_unique<EventSink>());
    auto watch = store_->watch("", from, sinks.back()->callback());
    ASSERT_TRUE(watch);
    watches.push_back(std::move(*watch));
    starts.push_back(from);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  done = true;
  writer1.join();
  writer2.join();
  const int64_t last = store_->revision();
  EXPECT_GT(last, starts.back());  // the writers overlapped the registrations
  for (size_t w = 0; w < sinks.size(); ++w) {
    auto events = sinks[w]->events();
    ASSERT_EQ(events.size(), static_cast<size_t>(last - starts[w] + 1)) << "watch " << w;
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i].kv.modRevision, starts[w] + static_cast<int64_t>(i)) << "watch " << w;
    }
  }
}

}  // namespace
}  // namespace berth::store
