#pragma once

// The scheduler without its informers: it is fed the Pod and Node objects the informers see
// (on*() handlers), keeps the scheduling queue and the cache, and runs the scheduling loop:
//
//   pop a pod -> snapshot the cache -> filter all nodes -> score the feasible ones -> pick
//   the best -> assume it on the node -> bind (on the write thread) -> on failure forget the
//   assumption and retry after back-off.
//
// A pod that fits nowhere gets the PodScheduled=False condition (reason Unschedulable, the
// kube-scheduler message) and a Warning FailedScheduling event, written only when the message
// differs from the last one; it waits in the queue for an event that may help. A bound pod
// gets a Normal Scheduled event "Successfully assigned ns/pod to node".
//
// Pods: unassigned pods of this scheduler name without deletionTimestamp are queued; assigned
// pods (spec.nodeName) are cached while not Succeeded/Failed. Writes go through ClusterWriter.
//
// Thread safety: handlers may be called from any thread; scheduleOne() from one thread at a
// time (the loop's, after start()).

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "base/clock.h"
#include "scheduler/cluster_writer.h"
#include "scheduler/framework.h"
#include "scheduler/schedule_pod.h"
#include "scheduler/scheduler_cache.h"
#include "scheduler/scheduling_queue.h"
#include "scheduler/write_worker.h"

namespace berth::scheduler {

struct SchedulerOptions {
  std::string schedulerName = "default-scheduler";
  QueueOptions queue;
  // How long an assumed pod outlives its bind call without the watch confirming it.
  std::chrono::milliseconds assumedPodTtl{30000};
  // Bind and write statuses/events on a thread of their own (false: inline, for tests).
  bool asyncWrites = true;
  // How many binding cycles (bind + event API calls) run at once; a pod's own writes stay in
  // order (see write_worker.h).
  size_t bindingLanes = 8;
  // Seed for breaking ties between equally scored nodes (random when unset).
  std::optional<uint64_t> seed;
  // reportingInstance of the events.
  std::string instanceName = "default-scheduler";
};

class SchedulerCore {
 public:
  // Runs defaultProfile(writer). `writer` and `clock` must outlive the core.
  SchedulerCore(ClusterWriter& writer, SchedulerOptions options, Clock& clock);
  SchedulerCore(ClusterWriter& writer, SchedulerOptions options, Clock& clock, Profile profile);
  ~SchedulerCore();  // stop()
  SchedulerCore(const SchedulerCore&) = delete;
  SchedulerCore& operator=(const SchedulerCore&) = delete;

  void onPodAdd(const nlohmann::json& pod);
  void onPodUpdate(const nlohmann::json& oldPod, const nlohmann::json& newPod);
  void onPodDelete(const nlohmann::json& pod);
  void onNodeAdd(const nlohmann::json& node);
  void onNodeUpdate(const nlohmann::json& oldNode, const nlohmann::json& newNode);
  void onNodeDelete(const nlohmann::json& node);

  // One scheduling cycle for the next active pod. With `wait`, blocks for one; returns false
  // when the queue is closed or (without wait) nothing is active.
  bool scheduleOne(bool wait = true);

  // Starts the scheduling thread. It first calls `ready` until it returns true (or stop()),
  // e.g. waiting for informers to sync; `ready` should block briefly (up to a fraction of a
  // second) when returning false, so this does not spin. Idempotent.
  void start(std::function<bool()> ready = {});
  // Stops the loop, lets the queued writes finish, joins the threads. Idempotent.
  void stop();

  // Returns once the writes (binds, statuses, events) posted so far are done.
  void waitForWrites() { writes_.drain(); }

  SchedulingQueue& queue() { return queue_; }
  SchedulerCache& cache() { return cache_; }
  const Framework& framework() const { return framework_; }

 private:
  bool responsible(const PodInfo& pod) const;
  void handleFailure(QueuedPodInfo info, const ScheduleResult& result);
  void bindingCycle(QueuedPodInfo info, const std::string& nodeName);
  // Records `message` as the pod's last failure; true if it differs from the previous one.
  bool failureMessageChanged(const PodInfo& pod, const std::string& message);
  void forgetFailureMessage(const std::string& key);

  ClusterWriter& writer_;
  SchedulerOptions options_;
  Clock& clock_;
  Framework framework_;
  SchedulingQueue queue_;
  SchedulerCache cache_;
  Snapshot snapshot_;
  std::mt19937_64 rng_;

  std::mutex mu_;
  std::map<std::string, std::string> lastFailure_;  // pod key -> last FailedScheduling message

  std::atomic<bool> stopping_{false};
  std::thread loop_;
  WriteWorker writes_;
};

}  // namespace berth::scheduler
