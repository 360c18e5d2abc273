// The watch cache over a real SQLite store: reads after writes, watches from a revision,
// the history window (410 past it), synthetic ADDED events, slow watchers, bookmarks.

#include "apiserver/watch_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "base/random.h"
#include "store/sqlite_storage.h"

namespace berth::apiserver {
namespace {

class WatchCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path("/tmp") / ("berth-wc-" + randomHex(4));
    auto storage = store::openSqliteStorage(dir_ / "state.db");
    ASSERT_TRUE(storage) << storage.error().message();
    storage_ = *storage;
  }
  void TearDown() override {
    cache_.reset();
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }
  void startCache(size_t history, size_t queueLimit = 1000) {
    cache_ = std::make_unique<WatchCache>(*storage_, history, queueLimit);
    ASSERT_TRUE(cache_->start());
  }
  int64_t put(const std::string& name, int value) {
    std::string key = "/registry/configmaps/default/" + name;
    std::string body = nlohmann::json{{"metadata", {{"name", name}}}, {"v", value}}.dump();
    auto existing = storage_->get(key);
    auto rev = existing ? storage_->update(key, body, 0) : storage_->create(key, body);
    EXPECT_TRUE(rev);
    return rev.value_or(0);
  }

  std::filesystem::path dir_;
  store::StoragePtr storage_;
  std::unique_ptr<WatchCache> cache_;
};

TEST_F(WatchCacheTest, ReadsSeeWritesAtOnceWithTheirResourceVersion) {
  put("before", 1);
  startCache(100);
  EXPECT_EQ(cache_->list("/registry/configmaps/").items.size(), 1u);
  int64_t rev = put("after", 2);
  auto got = cache_->get("/registry/configmaps/default/after");
  ASSERT_TRUE(got);
  EXPECT_EQ((*got->object)["metadata"]["resourceVersion"], std::to_string(rev));
  EXPECT_EQ(cache_->revision(), rev);
  EXPECT_EQ(cache_->list("/registry/configmaps/default/").items.size(), 2u);
  EXPECT_TRUE(cache_->list("/registry/configmaps/other/").items.empty());
}

TEST_F(WatchCacheTest, WatchFromARevisionReplaysOnlyLaterChanges) {
  startCache(100);
  put("a", 1);
  int64_t from = put("b", 1);
  put("a", 2);
  ASSERT_TRUE(storage_->remove("/registry/configmaps/default/b", 0));
  auto watcher = cache_->watch("/registry/configmaps/", from, [] {});
  ASSERT_TRUE(watcher);
  auto events = (*watcher)->take();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, CacheEvent::Type::kModified);
  EXPECT_EQ((*events[0].object)["v"], 2);
  EXPECT_EQ((*events[0].prev)["v"], 1);
  EXPECT_EQ(events[1].type, CacheEvent::Type::kDeleted);
  EXPECT_EQ((*events[1].object)["metadata"]["name"], "b");
  EXPECT_GT(events[1].revision, events[0].revision);
}

TEST_F(WatchCacheTest, WatchFromZeroStartsWithTheCurrentObjectsThenFollows) {
  startCache(100);
  put("a", 1);
  put("b", 1);
  std::atomic<int> notified = 0;
  auto watcher = cache_->watch("/registry/configmaps/default/", 0, [&] { ++notified; });
  ASSERT_TRUE(watcher);
  auto initial = (*watcher)->take();
  ASSERT_EQ(initial.size(), 2u);
  EXPECT_EQ(initial[0].type, CacheEvent::Type::kAdded);
  put("c", 1);
  EXPECT_GE(notified.load(), 1);
  auto live = (*watcher)->take();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ((*live[0].object)["metadata"]["name"], "c");
  cache_->unwatch(*watcher);
  put("d", 1);
  EXPECT_TRUE((*watcher)->take().empty());
}

TEST_F(WatchCacheTest, ARevisionOlderThanTheHistoryIsGone) {
  startCache(3);
  int64_t first = put("a", 1);
  for (int i = 0; i < 5; ++i) {
    put("a", i + 2);
  }
  auto old = cache_->watch("/registry/configmaps/", first, [] {});
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code(), ErrorCode::kGone);
  auto recent = cache_->watch("/registry/configmaps/", cache_->revision() - 2, [] {});
  ASSERT_TRUE(recent);
  EXPECT_EQ((*recent)->take().size(), 2u);
}

TEST_F(WatchCacheTest, ASlowWatcherIsDroppedNotTheCache) {
  startCache(100, /*queueLimit=*/3);
  auto watcher = cache_->watch("/registry/", 0, [] {});
  ASSERT_TRUE(watcher);
  for (int i = 0; i < 5; ++i) {
    put("k" + std::to_string(i), i);
  }
  EXPECT_TRUE((*watcher)->overflowed());
  EXPECT_EQ(cache_->list("/registry/").items.size(), 5u);
}

TEST_F(WatchCacheTest, BookmarksOnlyWhenNothingIsQueued) {
  startCache(100);
  auto watcher = cache_->watch("/registry/", 0, [] {});
  ASSERT_TRUE(watcher);
  int64_t rev = put("a", 1);
  EXPECT_FALSE(cache_->bookmarkRevision(*watcher));
  (*watcher)->take();
  EXPECT_EQ(cache_->bookmarkRevision(*watcher), rev);
}

}  // namespace
}  // namespace berth::apiserver
