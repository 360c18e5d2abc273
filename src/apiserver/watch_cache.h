#pragma once

// The API server's view of the store: every object under /registry/ held in memory, decoded
// once, plus a window of recent changes. Lists and gets are served from here and watchers are
// fed from here, so that thousands of open watches never touch the store.
//
// The cache follows the store through one Storage watch. Store watch callbacks run before a
// write returns, so once a write through the same Storage has returned, the cache already holds
// it: reads after writes see them.
//
// Thread safety: all members may be called from any thread.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "store/storage.h"

namespace berth::apiserver {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

struct CachedObject {
  ObjectPtr object;  // with metadata.resourceVersion set
  int64_t revision = 0;
};

struct CacheEvent {
  enum class Type { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  std::string key;
  ObjectPtr object;  // new state; for kDeleted the last state (resourceVersion = deletion's)
  ObjectPtr prev;    // previous state (kModified, kDeleted), else null
  int64_t revision = 0;
};

// One watch's queue of events. The cache appends and then calls `notify` (which must only
// schedule work, e.g. asio::post a wake-up); the watching side take()s.
class CacheWatcher {
 public:
  explicit CacheWatcher(std::string prefix, std::function<void()> notify)
      : prefix_(std::move(prefix)), notify_(std::move(notify)) {}

  const std::string& prefix() const { return prefix_; }
  // Everything queued so far (in revision order).
  std::vector<CacheEvent> take();
  // Whether the watcher fell too far behind and was dropped by the cache (its stream must end).
  bool overflowed() const;

 private:
  friend class WatchCache;
  void push(CacheEvent event, size_t limit);

  std::string prefix_;
  std::function<void()> notify_;
  mutable std::mutex mu_;
  std::vector<CacheEvent> queue_;
  bool overflowed_ = false;
};

using CacheWatcherPtr = std::shared_ptr<CacheWatcher>;

class WatchCache {
 public:
  // `historySize`: how many recent changes a watch can start from; older resourceVersions get
  // kGone. `watcherQueueLimit`: a watcher with more undelivered events is dropped.
  explicit WatchCache(store::Storage& storage, size_t historySize = 10000,
                      size_t watcherQueueLimit = 100000);
  ~WatchCache();

  // Loads everything under /registry/ and follows the store from there.
  Status start();
  void stop();

  // The objects whose key starts with `prefix`, sorted by key, and the revision they reflect.
  struct Snapshot {
    std::vector<CachedObject> items;
    int64_t revision = 0;
  };
  Snapshot list(std::string_view prefix) const;
  std::optional<CachedObject> get(const std::string& key) const;
  // The revision of the latest change the cache has applied.
  int64_t revision() const;

  // Starts a watcher on `prefix`. `fromRevision` 0: the current objects come first as kAdded
  // events, then every later change; otherwise every change after `fromRevision`.
  // kGone when `fromRevision` is older than the kept history.
  Result<CacheWatcherPtr> watch(const std::string& prefix, int64_t fromRevision,
                                std::function<void()> notify);
  void unwatch(const CacheWatcherPtr& watcher);
  // The revision a bookmark may carry for `watcher`: the cache revision when nothing is queued
  // for it, else nullopt (send the queued events first).
  std::optional<int64_t> bookmarkRevision(const CacheWatcherPtr& watcher) const;

 private:
  void apply(const std::vector<store::Event>& events);

  store::Storage& storage_;
  size_t historySize_;
  size_t watcherQueueLimit_;
  store::WatchPtr storeWatch_;

  mutable std::mutex mu_;
  std::map<std::string, CachedObject, std::less<>> objects_;
  std::deque<CacheEvent> history_;
  int64_t revision_ = 0;
  // Changes after this revision are all in history_ (a watch from an older one gets kGone).
  int64_t oldestWatchable_ = 0;
  std::vector<CacheWatcherPtr> watchers_;
};

}  // namespace berth::apiserver
