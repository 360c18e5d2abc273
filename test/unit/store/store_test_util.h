#pragma once

// Helpers for the store tests: a temporary directory removed at the end of the test, and a
// watch callback that collects events.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <vector>

#include "base/files.h"
#include "base/random.h"
#include "store/storage.h"

namespace berth::store {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("berth-store-" + randomHex(6))) {}
  ~TempDir() { EXPECT_TRUE(files::removeAll(path_)); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Collects the events a watch delivers; thread-safe.
class EventSink {
 public:
  WatchCallback callback() {
    return [this](const std::vector<Event>& events) {
      std::lock_guard lock(mu_);
      ++batches_;
      events_.insert(events_.end(), events.begin(), events.end());
      cv_.notify_all();
    };
  }

  std::vector<Event> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

  size_t batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

  // Waits until at least `n` events arrived (they arrive synchronously with writes, so the
  // wait is only for writes on other threads).
  bool waitFor(size_t n, std::chrono::seconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> events_;
  size_t batches_ = 0;
};

}  // namespace berth::store
