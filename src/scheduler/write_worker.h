#pragma once

// Runs the scheduler's writes to the cluster (binds, status updates, events) in order on one
// thread of its own, so that a slow API call does not hold up the scheduling cycle; or inline
// on the caller's thread when constructed with async = false (tests). Thread-safe.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace berth::scheduler {

class WriteWorker {
 public:
  explicit WriteWorker(bool async);
  ~WriteWorker();  // stop()
  WriteWorker(const WriteWorker&) = delete;
  WriteWorker& operator=(const WriteWorker&) = delete;

  // Runs `task` (now when synchronous). Ignored after stop().
  void post(std::function<void()> task);
  // Returns once every task posted before has run.
  void drain();
  // Runs what is queued, then ends the thread. Idempotent.
  void stop();

 private:
  void run();

  bool async_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool busy_ = false;
  bool stopping_ = false;
  bool exited_ = false;
  std::thread thread_;
};

}  // namespace berth::scheduler
