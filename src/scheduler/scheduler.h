#pragma once

// The scheduler as `berth server` runs it: informers on nodes and on all pods feeding a
// SchedulerCore, which binds through the API server (ApiClusterWriter).
//
//   client::ApiClient client(config);  // identity system:kube-scheduler
//   RealClock clock;
//   scheduler::Scheduler scheduler(client, {}, clock);
//   scheduler.start();   // returns at once; scheduling begins once both informers synced
//   ...
//   scheduler.stop();
//
// Thread-safe: start()/stop() from one owner thread.

#include <memory>

#include "base/clock.h"
#include "client/api_client.h"
#include "client/informer.h"
#include "scheduler/api_cluster_writer.h"
#include "scheduler/scheduler_core.h"

namespace berth::scheduler {

class Scheduler {
 public:
  // `client` and `clock` must outlive the scheduler.
  Scheduler(client::ApiClient& client, SchedulerOptions options, Clock& clock);
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts the informers and the scheduling thread. Idempotent.
  void start();
  // Stops the loop and the informers; no handler runs afterwards. Idempotent.
  void stop();

  // Whether both informers delivered their first list.
  bool hasSynced() const;

  SchedulerCore& core() { return *core_; }

 private:
  ApiClusterWriter writer_;
  std::unique_ptr<SchedulerCore> core_;
  client::Informer nodes_;
  client::Informer pods_;
  bool started_ = false;
};

}  // namespace berth::scheduler
