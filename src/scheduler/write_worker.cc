#include "scheduler/write_worker.h"

namespace berth::scheduler {

WriteWorker::WriteWorker(bool async) : async_(async) {
  if (async_) {
    thread_ = std::thread([this] { run(); });
  }
}

WriteWorker::~WriteWorker() {
  stop();
}

void WriteWorker::post(std::function<void()> task) {
  if (!async_) {
    task();
    return;
  }
  std::lock_guard lock(mu_);
  if (stopping_) {
    return;
  }
  tasks_.push_back(std::move(task));
  cv_.notify_all();
}

void WriteWorker::drain() {
  if (!async_) {
    return;
  }
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return (tasks_.empty() && !busy_) || exited_; });
}

void WriteWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

void WriteWorker::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) {
      exited_ = true;  // stopping, nothing left
      cv_.notify_all();
      return;
    }
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    busy_ = true;
    lock.unlock();
    task();
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace berth::scheduler
