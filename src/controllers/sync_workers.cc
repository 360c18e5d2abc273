#include "controllers/sync_workers.h"

#include <spdlog/spdlog.h>

namespace berth::controllers {

SyncWorkers::~SyncWorkers() {
  stop();
}

void SyncWorkers::start(client::WorkQueue& queue, Options options, SyncFn sync) {
  if (queue_ != nullptr) {
    return;
  }
  queue_ = &queue;
  options_ = std::move(options);
  sync_ = std::move(sync);
  for (int i = 0; i < options_.workers; ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

void SyncWorkers::stop() {
  stopping_ = true;
  if (queue_ != nullptr) {
    queue_->shutDown();
  }
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
}

void SyncWorkers::run() {
  while (auto key = queue_->get()) {
    Status s = sync_(*key);
    std::chrono::milliseconds retry{0};
    {
      std::lock_guard lock(backoffMu_);
      if (s) {
        backoff_.erase(*key);
      } else {
        auto& b = backoff_[*key];
        b = b.count() == 0 ? options_.minBackoff : std::min(b * 2, options_.maxBackoff);
        retry = b;
      }
    }
    if (!s && !stopping_) {
      spdlog::warn("{}: sync '{}': {}", options_.component, *key, s.error().message());
      queue_->addAfter(*key, retry);
    }
    queue_->done(*key);
  }
}

}  // namespace berth::controllers
