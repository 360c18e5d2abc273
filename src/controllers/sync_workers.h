#pragma once

// The worker threads of a controller: they take keys from its WorkQueue and reconcile each
// with the controller's sync function, one worker per key at a time. A key whose sync failed
// comes back after a per-key exponential back-off (minBackoff doubling to maxBackoff, reset by
// a success), as client-go's rate-limited queue does; the failure is logged.
//
//   workers_.start(queue_, {.component = "replicaset-controller", .workers = 2},
//                  [this](const std::string& key) { return sync(key); });
//   ...
//   workers_.stop();  // shuts the queue down and joins
//
// Thread safety: start() and stop() from the owner; the sync function runs on the workers.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "client/work_queue.h"

namespace berth::controllers {

class SyncWorkers {
 public:
  struct Options {
    std::string component;  // for the log
    int workers = 2;
    std::chrono::milliseconds minBackoff{5};
    std::chrono::milliseconds maxBackoff{1000 * 1000};
  };
  using SyncFn = std::function<Status(const std::string& key)>;

  SyncWorkers() = default;
  ~SyncWorkers();  // stops
  SyncWorkers(const SyncWorkers&) = delete;
  SyncWorkers& operator=(const SyncWorkers&) = delete;

  // Starts the workers on `queue` (which must outlive them). Once only.
  void start(client::WorkQueue& queue, Options options, SyncFn sync);
  // Shuts the queue down and joins the workers: no sync runs afterwards. Idempotent.
  void stop();

 private:
  void run();

  client::WorkQueue* queue_ = nullptr;
  Options options_;
  SyncFn sync_;
  std::mutex backoffMu_;
  std::map<std::string, std::chrono::milliseconds> backoff_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_ = false;
};

}  // namespace berth::controllers
