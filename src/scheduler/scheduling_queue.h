#pragma once

// The queue of pods waiting to be scheduled, shaped like kube-scheduler's PriorityQueue:
//
//   activeQ        pods to try now, ordered by the profile's QueueSort (priority, then age)
//   backoffQ       pods that failed recently, waiting out a per-pod back-off
//                  (initialBackoff doubling per attempt up to maxBackoff: 1 s, 2 s, ... 10 s)
//   unschedulable  pods no node fits; they wait for a cluster event that may help (a node
//                  added or changed, an assigned pod deleted), matched against the events the
//                  rejecting plugins registered, or at most maxInUnschedulable (5 min), then
//                  go to backoffQ (if still backing off) or activeQ
//
// A popped pod is "in flight" until done(), addUnschedulable() or addBackoff(); events that
// arrive meanwhile are remembered so a pod that failed against an already-changed cluster
// goes to backoffQ instead of waiting for the next event.
//
// Time comes from the injected Clock. pop() blocks on a condition variable until a pod is
// active, waking only for add/update/events or the next back-off expiry; with a fake clock,
// call flush() after advancing time. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "scheduler/framework.h"

namespace berth::scheduler {

struct QueueOptions {
  std::chrono::milliseconds initialBackoff{1000};
  std::chrono::milliseconds maxBackoff{10000};
  std::chrono::milliseconds maxInUnschedulable{std::chrono::minutes(5)};
};

class SchedulingQueue {
 public:
  // `framework` orders the active queue and matches events to rejecting plugins; it must
  // outlive the queue.
  SchedulingQueue(const Framework& framework, Clock& clock, QueueOptions options = {});
  SchedulingQueue(const SchedulingQueue&) = delete;
  SchedulingQueue& operator=(const SchedulingQueue&) = delete;

  // A new pending pod goes to activeQ. If the key is already known, acts as update().
  void add(PodInfoPtr pod);
  // A newer version of a pending pod replaces the queued one where it waits. An unschedulable
  // pod whose spec or metadata changed (not just status) is moved to backoffQ/activeQ.
  void update(PodInfoPtr pod);
  // The pod was deleted or bound by someone else.
  void remove(const std::string& key);

  // The next active pod (attempts incremented), blocking until there is one; nullopt once
  // close() was called.
  std::optional<QueuedPodInfo> pop();
  // Like pop() without blocking (after a flush()).
  std::optional<QueuedPodInfo> tryPop();

  // The popped pod fits no node (info.unschedulablePlugins says which plugins rejected it).
  // It waits in the unschedulable set, or in backoffQ when an event that may help arrived
  // while it was in flight. Ignored if the pod was deleted meanwhile.
  void addUnschedulable(QueuedPodInfo info);
  // The popped pod failed for another reason (bind error): retried after its back-off.
  void addBackoff(QueuedPodInfo info);
  // The popped pod was scheduled (or dropped): it leaves the queue.
  void done(const std::string& key);

  // A cluster event: every unschedulable pod that a rejecting plugin says may now fit moves
  // to backoffQ (still backing off) or activeQ.
  void onEvent(const ClusterEvent& event);

  // Moves pods whose back-off ended to activeQ and pods unschedulable for longer than
  // maxInUnschedulable out of the unschedulable set; wakes pop(). pop() does this itself.
  void flush();

  // Wakes every pop() with nullopt.
  void close();

  // The back-off a pod gets after `attempts` attempts.
  std::chrono::milliseconds backoffDuration(int attempts) const;

  size_t activeCount() const;
  size_t backoffCount() const;
  size_t unschedulableCount() const;
  // Whether the key waits anywhere in the queue (not counting in-flight pods).
  bool contains(const std::string& key) const;

 private:
  using Entry = std::shared_ptr<QueuedPodInfo>;
  struct Less {
    const Framework* framework;
    bool operator()(const Entry& a, const Entry& b) const;
  };
  struct InFlight {
    PodInfoPtr latest;
    bool deleted = false;
    bool updated = false;
    std::vector<ClusterEvent> events;
  };

  void addActiveLocked(QueuedPodInfo info);
  void updateLocked(PodInfoPtr pod);
  void moveToActiveOrBackoffLocked(QueuedPodInfo info);
  bool backingOffLocked(const QueuedPodInfo& info) const;
  Clock::MonoTime backoffExpiry(const QueuedPodInfo& info) const;
  bool flushLocked();
  std::optional<QueuedPodInfo> popLocked();
  std::optional<Clock::MonoTime> nextDeadlineLocked() const;

  const Framework& framework_;
  Clock& clock_;
  QueueOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<Entry, Less> activeQ_;
  std::map<std::string, Entry> active_;
  std::map<std::string, QueuedPodInfo> backoff_;
  std::map<std::string, QueuedPodInfo> unschedulable_;
  std::map<std::string, InFlight> inFlight_;
  uint64_t sequence_ = 0;
  bool closed_ = false;
};

}  // namespace berth::scheduler
