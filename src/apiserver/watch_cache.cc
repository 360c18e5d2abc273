#include "apiserver/watch_cache.h"

#include <spdlog/spdlog.h>

namespace berth::apiserver {

namespace {

constexpr std::string_view kRoot = "/registry/";

bool hasPrefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

// The stored JSON with metadata.resourceVersion set to the revision that wrote it. A value
// that does not parse (never written by us) is kept as null and skipped by readers.
ObjectPtr decode(const store::KeyValue& kv) {
  auto object = nlohmann::json::parse(kv.value, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    spdlog::warn("watch cache: key '{}' holds no JSON object; ignored", kv.key);
    return nullptr;
  }
  object["metadata"]["resourceVersion"] = std::to_string(kv.modRevision);
  return std::make_shared<const nlohmann::json>(std::move(object));
}

}  // namespace

std::vector<CacheEvent> CacheWatcher::take() {
  std::lock_guard lock(mu_);
  return std::exchange(queue_, {});
}

bool CacheWatcher::overflowed() const {
  std::lock_guard lock(mu_);
  return overflowed_;
}

void CacheWatcher::push(CacheEvent event, size_t limit) {
  bool wasEmpty = false;
  {
    std::lock_guard lock(mu_);
    if (overflowed_) {
      return;
    }
    if (queue_.size() >= limit) {
      overflowed_ = true;
      queue_.clear();
    } else {
      wasEmpty = queue_.empty();
      queue_.push_back(std::move(event));
    }
  }
  if (wasEmpty || overflowed()) {
    notify_();
  }
}

WatchCache::WatchCache(store::Storage& storage, size_t historySize, size_t watcherQueueLimit)
    : storage_(storage), historySize_(historySize), watcherQueueLimit_(watcherQueueLimit) {}

WatchCache::~WatchCache() {
  stop();
}

Status WatchCache::start() {
  BERTH_ASSIGN_OR_RETURN(auto listed, storage_.list(kRoot));
  {
    std::lock_guard lock(mu_);
    for (const auto& kv : listed.items) {
      if (auto object = decode(kv)) {
        objects_[kv.key] = CachedObject{std::move(object), kv.modRevision};
      }
    }
    revision_ = listed.revision;
    oldestWatchable_ = listed.revision;
  }
  BERTH_ASSIGN_OR_RETURN(
      storeWatch_,
      storage_.watch(kRoot, listed.revision + 1,
                     [this](const std::vector<store::Event>& events) { apply(events); }));
  return ok();
}

void WatchCache::stop() {
  storeWatch_.reset();
}

void WatchCache::apply(const std::vector<store::Event>& events) {
  std::lock_guard lock(mu_);
  for (const auto& event : events) {
    CacheEvent change;
    change.key = event.kv.key;
    change.revision = event.kv.modRevision;
    auto found = objects_.find(event.kv.key);
    if (found != objects_.end()) {
      change.prev = found->second.object;
    }
    if (event.type == store::EventType::kPut) {
      change.object = decode(event.kv);
      if (!change.object) {
        continue;
      }
      change.type = change.prev ? CacheEvent::Type::kModified : CacheEvent::Type::kAdded;
      objects_[event.kv.key] = CachedObject{change.object, event.kv.modRevision};
    } else {
      if (!change.prev) {
        continue;
      }
      auto last = std::make_shared<nlohmann::json>(*change.prev);
      (*last)["metadata"]["resourceVersion"] = std::to_string(event.kv.modRevision);
      change.object = std::move(last);
      change.type = CacheEvent::Type::kDeleted;
      objects_.erase(found);
    }
    revision_ = std::max(revision_, change.revision);
    for (const auto& watcher : watchers_) {
      if (hasPrefix(change.key, watcher->prefix())) {
        watcher->push(change, watcherQueueLimit_);
      }
    }
    history_.push_back(std::move(change));
    while (history_.size() > historySize_) {
      oldestWatchable_ = history_.front().revision;
      history_.pop_front();
    }
  }
}

WatchCache::Snapshot WatchCache::list(std::string_view prefix) const {
  Snapshot snapshot;
  std::lock_guard lock(mu_);
  snapshot.revision = revision_;
  for (auto it = objects_.lower_bound(prefix); it != objects_.end() && hasPrefix(it->first, prefix);
       ++it) {
    snapshot.items.push_back(it->second);
  }
  return snapshot;
}

std::optional<CachedObject> WatchCache::get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    return std::nullopt;
  }
  return it->second;
}

int64_t WatchCache::revision() const {
  std::lock_guard lock(mu_);
  return revision_;
}

Result<CacheWatcherPtr> WatchCache::watch(const std::string& prefix, int64_t fromRevision,
                                          std::function<void()> notify) {
  auto watcher = std::make_shared<CacheWatcher>(prefix, std::move(notify));
  std::lock_guard lock(mu_);
  if (fromRevision == 0) {
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && hasPrefix(it->first, prefix); ++it) {
      watcher->push(CacheEvent{CacheEvent::Type::kAdded, it->first, it->second.object, nullptr,
                               it->second.revision},
                    SIZE_MAX);
    }
  } else {
    if (fromRevision < oldestWatchable_) {
      return fail(ErrorCode::kGone, "too old resource version: {} ({})", fromRevision,
                  oldestWatchable_ + 1);
    }
    for (const auto& change : history_) {
      if (change.revision > fromRevision && hasPrefix(change.key, prefix)) {
        watcher->push(change, SIZE_MAX);
      }
    }
  }
  watchers_.push_back(watcher);
  return watcher;
}

void WatchCache::unwatch(const CacheWatcherPtr& watcher) {
  std::lock_guard lock(mu_);
  std::erase(watchers_, watcher);
}

std::optional<int64_t> WatchCache::bookmarkRevision(const CacheWatcherPtr& watcher) const {
  std::lock_guard lock(mu_);
  std::lock_guard watcherLock(watcher->mu_);
  if (!watcher->queue_.empty()) {
    return std::nullopt;
  }
  return revision_;
}

}  // namespace berth::apiserver
