#include "store/watch_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace berth::store {

// The Watch given to callers: unregisters its watcher when destroyed.
class WatchHub::Handle final : public Watch {
 public:
  Handle(std::shared_ptr<WatchHub> hub, uint64_t id) : hub_(std::move(hub)), id_(id) {}
  ~Handle() override { hub_->remove(id_); }

 private:
  std::shared_ptr<WatchHub> hub_;
  uint64_t id_;
};

std::shared_ptr<WatchHub> WatchHub::create() {
  return std::shared_ptr<WatchHub>(new WatchHub());
}

std::unique_lock<std::mutex> WatchHub::lockDelivery() {
  return std::unique_lock(deliveryMutex_);
}

void WatchHub::call(Watcher& watcher, const std::vector<Event>& events) {
  try {
    watcher.callback(events);
  } catch (const std::exception& e) {
    spdlog::error("watch of '{}': callback threw: {}", watcher.prefix, e.what());
  } catch (...) {
    spdlog::error("watch of '{}': callback threw", watcher.prefix);
  }
}

void WatchHub::publish(const std::unique_lock<std::mutex>& delivery, const Event& event) {
  publish(delivery, std::vector<Event>{event});
}

void WatchHub::publish(const std::unique_lock<std::mutex>& /*delivery*/,
                       const std::vector<Event>& events) {
  if (watchers_.empty() || events.empty()) {
    return;
  }
  deliveringThread_.store(std::this_thread::get_id());
  std::vector<Event> matching;
  // A callback may cancel watchers (flags them, see remove()) but never adds any, so the
  // iteration stays valid.
  for (auto& [id, watcher] : watchers_) {
    const std::vector<Event>* batch = &events;
    // Most watchers (the API server's watch cache) see everything; copy only for the others.
    bool all = std::all_of(events.begin(), events.end(), [&](const Event& e) {
      return e.kv.key.starts_with(watcher->prefix) && e.kv.modRevision >= watcher->minRevision;
    });
    if (!all) {
      matching.clear();
      for (const auto& e : events) {
        if (e.kv.key.starts_with(watcher->prefix) && e.kv.modRevision >= watcher->minRevision) {
          matching.push_back(e);
        }
      }
      batch = &matching;
    }
    if (!watcher->cancelled && !batch->empty()) {
      call(*watcher, *batch);
    }
  }
  deliveringThread_.store(std::thread::id());
  sweep();
}

WatchPtr WatchHub::add(const std::unique_lock<std::mutex>& /*delivery*/, std::string prefix,
                       int64_t minRevision, std::vector<Event> history, WatchCallback callback) {
  auto watcher = std::make_shared<Watcher>();
  watcher->prefix = std::move(prefix);
  watcher->minRevision = minRevision;
  watcher->callback = std::move(callback);
  if (!history.empty()) {
    deliveringThread_.store(std::this_thread::get_id());
    if (history.size() <= kReplayBatch) {
      call(*watcher, history);
    } else {
      std::vector<Event> batch;
      batch.reserve(kReplayBatch);
      for (size_t i = 0; i < history.size(); ++i) {
        batch.push_back(std::move(history[i]));
        if (batch.size() == kReplayBatch || i + 1 == history.size()) {
          call(*watcher, batch);
          batch.clear();
        }
      }
    }
    deliveringThread_.store(std::thread::id());
    sweep();
  }
  uint64_t id = nextId_++;
  watchers_.emplace(id, std::move(watcher));
  return std::make_unique<Handle>(shared_from_this(), id);
}

void WatchHub::remove(uint64_t id) {
  if (deliveringThread_.load() == std::this_thread::get_id()) {
    // Called from a callback on this thread, which already holds the delivery lock: flag the
    // watcher and let the delivery loop drop it.
    if (auto it = watchers_.find(id); it != watchers_.end()) {
      it->second->cancelled = true;
      needsSweep_ = true;
    }
    return;
  }
  std::lock_guard lock(deliveryMutex_);
  watchers_.erase(id);
}

void WatchHub::sweep() {
  if (!needsSweep_) {
    return;
  }
  std::erase_if(watchers_, [](const auto& entry) { return entry.second->cancelled; });
  needsSweep_ = false;
}

}  // namespace berth::store
