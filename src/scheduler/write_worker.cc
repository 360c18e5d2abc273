#include "scheduler/write_worker.h"

#include <algorithm>

namespace berth::scheduler {

WriteWorker::WriteWorker(bool async, size_t lanes) : async_(async) {
  if (!async_) {
    return;
  }
  for (size_t i = 0; i < std::max<size_t>(lanes, 1); ++i) {
    lanes_.push_back(std::make_unique<Lane>());
  }
  for (auto& lane : lanes_) {
    lane->thread = std::thread([this, l = lane.get()] { run(*l); });
  }
}

WriteWorker::~WriteWorker() {
  stop();
}

void WriteWorker::post(std::string_view key, std::function<void()> task) {
  if (!async_) {
    task();
    return;
  }
  std::lock_guard lock(mu_);
  if (stopping_) {
    return;
  }
  lanes_[std::hash<std::string_view>()(key) % lanes_.size()]->tasks.push_back(std::move(task));
  cv_.notify_all();
}

void WriteWorker::drain() {
  if (!async_) {
    return;
  }
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] {
    return std::all_of(lanes_.begin(), lanes_.end(), [](const auto& lane) {
      return (lane->tasks.empty() && !lane->busy) || lane->exited;
    });
  });
}

void WriteWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) {
      lane->thread.join();
    }
  }
}

void WriteWorker::run(Lane& lane) {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !lane.tasks.empty(); });
    if (lane.tasks.empty()) {
      lane.exited = true;  // stopping, nothing left
      cv_.notify_all();
      return;
    }
    auto task = std::move(lane.tasks.front());
    lane.tasks.pop_front();
    lane.busy = true;
    lock.unlock();
    task();
    lock.lock();
    lane.busy = false;
    cv_.notify_all();
  }
}

}  // namespace berth::scheduler
