#pragma once

// An flock(2) on a lock file, shared or exclusive, released on destruction. Each lock opens the
// file anew, so it excludes other threads of this process as well as other processes.

#include <filesystem>

#include "base/error.h"

namespace berth::image {

class StoreLock {
 public:
  // Blocks until the lock is held. Creates the file (and its directory) if needed.
  static Result<StoreLock> acquire(const std::filesystem::path& path, bool exclusive);

  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&&) = delete;
  StoreLock(const StoreLock&) = delete;
  ~StoreLock();

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace berth::image
