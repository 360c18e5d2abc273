#pragma once

// Runs the scheduler's writes to the cluster (binds, status updates, events) on threads of its
// own, so that a slow API call does not hold up the scheduling cycle; or inline on the caller's
// thread when constructed with async = false (tests). Thread-safe.
//
// Ordering: tasks posted with the same key (a pod's namespace/name) run one after the other in
// the order posted; tasks with different keys may run concurrently on `lanes` threads (a key
// always maps to the same lane). Like kube-scheduler's binding cycles, the binds of different
// pods overlap, so one API round trip per pod does not cap the scheduling rate.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace berth::scheduler {

class WriteWorker {
 public:
  explicit WriteWorker(bool async, size_t lanes = 1);
  ~WriteWorker();  // stop()
  WriteWorker(const WriteWorker&) = delete;
  WriteWorker& operator=(const WriteWorker&) = delete;

  // Runs `task` (now when synchronous) after the tasks posted before with the same `key`.
  // Ignored after stop().
  void post(std::string_view key, std::function<void()> task);
  // Returns once every task posted before has run.
  void drain();
  // Runs what is queued, then ends the threads. Idempotent.
  void stop();

 private:
  struct Lane {
    std::deque<std::function<void()>> tasks;
    bool busy = false;
    bool exited = false;
    std::thread thread;
  };

  void run(Lane& lane);

  bool async_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace berth::scheduler
