// Group commit of the sqlite Storage: concurrent writes share transactions, yet each keeps its
// own outcome, revisions stay dense and watches see every event in revision order before the
// write returns.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store/sqlite_storage.h"
#include "unit/store/store_test_util.h"

namespace berth::store {
namespace {

class SqliteGroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = openSqliteStorage(dir_.path() / "state.db");
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = *opened;
  }

  TempDir dir_;
  StoragePtr store_;
};

// Holds the committer of the write to `gateKey` inside its watch callback until open() is
// called, so that writes started meanwhile queue up and form one group.
class Gate {
 public:
  explicit Gate(std::string gateKey) : gateKey_(std::move(gateKey)) {}

  // Wraps `sink`: records batches, blocks on the gate key.
  WatchCallback callback(EventSink& sink) {
    auto inner = sink.callback();
    return [this, inner](const std::vector<Event>& events) {
      {
        std::lock_guard lock(mu_);
        batchSizes_.push_back(events.size());
      }
      inner(events);
      bool gated = std::any_of(events.begin(), events.end(),
                               [&](const Event& e) { return e.kv.key == gateKey_; });
      if (gated) {
        std::unique_lock lock(mu_);
        reached_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return open_; });
      }
    };
  }

  void waitReached() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return reached_; });
  }

  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

  std::vector<size_t> batchSizes() {
    std::lock_guard lock(mu_);
    return batchSizes_;
  }

 private:
  std::string gateKey_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool reached_ = false;
  bool open_ = false;
  std::vector<size_t> batchSizes_;
};

TEST_F(SqliteGroupCommitTest, ConcurrentWritersGetDenseRevisionsSeenInOrderBeforeReturn) {
  EventSink sink;
  std::atomic<int64_t> seen{0};
  auto count = sink.callback();
  auto watch = store_->watch("/c/", 0, [&](const std::vector<Event>& events) {
    count(events);
    seen.store(events.back().kv.modRevision);
  });
  ASSERT_TRUE(watch);

  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  std::vector<std::vector<int64_t>> revisions(kThreads);
  std::atomic<int> failures{0};
  std::atomic<int> unseen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto key = fmt::format("/c/{}/{}", t, i);
        auto rev = store_->create(key, key);
        if (!rev) {
          ++failures;
          continue;
        }
        // The watch saw the write before it returned.
        if (seen.load() < *rev) {
          ++unseen;
        }
        revisions[t].push_back(*rev);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(unseen.load(), 0);

  const int64_t total = kThreads * kPerThread;
  std::set<int64_t> all;
  for (const auto& revs : revisions) {
    // One writer's writes commit in its order.
    EXPECT_TRUE(std::is_sorted(revs.begin(), revs.end()));
    all.insert(revs.begin(), revs.end());
  }
  ASSERT_EQ(static_cast<int64_t>(all.size()), total);
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), total);
  EXPECT_EQ(store_->revision(), total);

  // Every event exactly once, in revision order, with the value its writer wrote.
  auto events = sink.events();
  ASSERT_EQ(static_cast<int64_t>(events.size()), total);
  for (int64_t i = 0; i < total; ++i) {
    EXPECT_EQ(events[i].kv.modRevision, i + 1);
    EXPECT_EQ(events[i].kv.value, events[i].kv.key);
  }
  auto listed = store_->list("/c/");
  ASSERT_TRUE(listed);
  EXPECT_EQ(static_cast<int64_t>(listed->items.size()), total);
}

TEST_F(SqliteGroupCommitTest, FailedPreconditionInAGroupDoesNotAffectTheOthers) {
  ASSERT_TRUE(store_->create("/k/exists", "old"));  // 1
  EventSink sink;
  Gate gate("/k/gate");
  auto watch = store_->watch("/k/", 0, gate.callback(sink));
  ASSERT_TRUE(watch);

  // The gate write commits (revision 2) and its committer stays in the watch callback.
  std::thread first([&] { EXPECT_TRUE(store_->create("/k/gate", "g")); });
  gate.waitReached();

  Result<int64_t> a = 0, dup = 0, conflict = 0, missing = 0, b = 0;
  Result<KeyValue> removed = KeyValue{};
  std::vector<std::thread> writers;
  writers.emplace_back([&] { a = store_->create("/k/a", "a"); });
  writers.emplace_back([&] { dup = store_->create("/k/exists", "dup"); });
  writers.emplace_back([&] { conflict = store_->update("/k/exists", "x", 99); });
  writers.emplace_back([&] { missing = store_->update("/k/missing", "x", 0); });
  writers.emplace_back([&] { removed = store_->remove("/k/missing", 0); });
  writers.emplace_back([&] { b = store_->create("/k/b", "b"); });
  // Let them all queue behind the held committer.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  gate.open();
  first.join();
  for (auto& writer : writers) {
    writer.join();
  }

  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code(), ErrorCode::kAlreadyExists);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code(), ErrorCode::kConflict);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(b) << b.error().message();
  // Failed writes take no revision: the two creates got 3 and 4.
  EXPECT_EQ(std::set<int64_t>({*a, *b}), std::set<int64_t>({3, 4}));
  EXPECT_EQ(store_->revision(), 4);

  auto kept = store_->get("/k/exists");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->value, "old");
  EXPECT_EQ(kept->modRevision, 1);
  EXPECT_TRUE(store_->get("/k/a"));
  EXPECT_TRUE(store_->get("/k/b"));
  EXPECT_FALSE(store_->get("/k/missing"));

  // The gate, then both creates delivered together: they were one group commit.
  auto sizes = gate.batchSizes();
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0], 1u);
  EXPECT_EQ(sizes[1], 2u);
  auto events = sink.events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].kv.modRevision, 3);
  EXPECT_EQ(events[2].kv.modRevision, 4);

  // The history read back from disk matches what was delivered live.
  EventSink replay;
  auto again = store_->watch("/k/", 2, replay.callback());
  ASSERT_TRUE(again);
  auto replayed = replay.events();
  ASSERT_EQ(replayed.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(replayed[i].kv, events[i].kv);
  }
}

TEST_F(SqliteGroupCommitTest, WritesToOneKeyInAGroupSeeEachOther) {
  EventSink sink;
  Gate gate("/s/gate");
  auto watch = store_->watch("/s/", 0, gate.callback(sink));
  ASSERT_TRUE(watch);
  std::thread first([&] { EXPECT_TRUE(store_->create("/s/gate", "g")); });  // 1
  gate.waitReached();

  // Queued in this order behind the held committer: the update sees the create of the same
  // group, the second create of the key fails.
  Result<int64_t> created = 0, updated = 0, again = 0;
  std::thread c([&] { created = store_->create("/s/k", "v1"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  std::thread u([&] { updated = store_->update("/s/k", "v2", 0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  std::thread d([&] { again = store_->create("/s/k", "v3"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  gate.open();
  for (auto* t : {&first, &c, &u, &d}) {
    t->join();
  }
  ASSERT_TRUE(created);
  ASSERT_TRUE(updated);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(*created, 2);
  EXPECT_EQ(*updated, 3);
  auto kv = store_->get("/s/k");
  ASSERT_TRUE(kv);
  EXPECT_EQ(*kv, (KeyValue{"/s/k", "v2", 2, 3}));
  auto events = sink.events();
  ASSERT_EQ(events.size(), 3u);
  ASSERT_TRUE(events[2].prev);
  EXPECT_EQ(events[2].prev->value, "v1");
}

TEST_F(SqliteGroupCommitTest, ConcurrentWritesSurviveReopen) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        EXPECT_TRUE(store_->create(fmt::format("/r/{}/{}", t, i), "v"));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  store_.reset();
  auto reopened = openSqliteStorage(dir_.path() / "state.db");
  ASSERT_TRUE(reopened) << reopened.error().message();
  EXPECT_EQ((*reopened)->revision(), 160);
  auto listed = (*reopened)->list("/r/");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->items.size(), 160u);
}

}  // namespace
}  // namespace berth::store
