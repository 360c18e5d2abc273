#include "client/work_queue.h"

namespace berth::client {

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mu_);
  addLocked(key);
}

void WorkQueue::addLocked(const std::string& key) {
  if (shutDown_) {
    return;
  }
  if (processing_.count(key) != 0) {
    dirty_.insert(key);
    return;
  }
  if (queued_.insert(key).second) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::addAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) {
    add(key);
    return;
  }
  std::lock_guard lock(mu_);
  if (shutDown_) {
    return;
  }
  auto at = Clock::now() + delay;
  // As client-go: a key waits once, for the earliest time asked; later asks add nothing.
  if (auto it = delayedAt_.find(key); it != delayedAt_.end()) {
    if (it->second <= at) {
      return;
    }
    auto [first, last] = delayed_.equal_range(it->second);
    for (auto d = first; d != last; ++d) {
      if (d->second == key) {
        delayed_.erase(d);
        break;
      }
    }
  }
  delayedAt_[key] = at;
  delayed_.emplace(at, key);
  // A waiting worker may need to wake earlier than it planned.
  cv_.notify_all();
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (shutDown_) {
      return std::nullopt;
    }
    auto now = Clock::now();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      std::string key = delayed_.begin()->second;
      delayed_.erase(delayed_.begin());
      delayedAt_.erase(key);
      addLocked(key);
    }
    if (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      queued_.erase(key);
      processing_.insert(key);
      return key;
    }
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, delayed_.begin()->first);
    }
  }
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.erase(key) != 0) {
    addLocked(key);
  }
}

void WorkQueue::shutDown() {
  std::lock_guard lock(mu_);
  shutDown_ = true;
  cv_.notify_all();
}

size_t WorkQueue::size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace berth::client
