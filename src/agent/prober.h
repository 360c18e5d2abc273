#pragma once

// The prober: runs the liveness, readiness and startup probes of the running containers of
// every pod on the node, as the kubelet's probe manager does (pkg/kubelet/prober).
//
// The pod sync loop tells it, at each sync of a pod, which container instances run (update());
// each probe of each instance gets a ProbeWorker (probe_worker.h) that keeps its result.
// One scheduler thread starts the probes that are due on a small pool of threads (probes
// block for up to their timeout), so nothing here ever blocks the sync loop. A container
// that stops, restarts (a new instance) or whose pod goes (remove()) loses its workers; a
// result that arrives for a removed worker is dropped.
//
// What comes out:
//   - status(uid): per container, whether its instance is ready and started, for the pod's
//     status (containerStatuses[].ready/started, conditions ContainersReady and Ready);
//   - `changed(uid)` whenever such a result changes, so the loop syncs the pod and reports
//     its status;
//   - `kill(uid, container, runtimeId, kind)` when a liveness or startup probe failed
//     failureThreshold times: the loop kills that instance and restarts it per restartPolicy;
//   - a Warning "Unhealthy" event for every failed probe ("Liveness probe failed: ...").
//
// Thread safety: all public methods may be called from any thread. Callbacks run on the
// prober's threads without its lock held.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/event_sink.h"
#include "agent/probe_executor.h"
#include "agent/probe_worker.h"
#include "api/pod.h"
#include "base/clock.h"

namespace berth::agent {

struct ProberOptions {
  int threads = 2;  // probes running at once
};

struct ProberCallbacks {
  std::function<void(const std::string& uid)> changed;
  std::function<void(const std::string& uid, const std::string& container,
                     const std::string& runtimeId, ProbeKind kind)>
      kill;
};

class Prober {
 public:
  // `executor` and `clock` must outlive the prober.
  Prober(ProbeExecutor& executor, const Clock& clock, ProberOptions options = {});
  ~Prober();  // stops
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  // REQUIRES: before start().
  void setCallbacks(ProberCallbacks callbacks);
  void setEventSink(EventSinkPtr sink);

  void start();
  // Stops the threads (waits for probes in flight). Idempotent.
  void stop();

  // The running instances of `pod`'s containers (every other instance loses its workers).
  // Instances seen for the first time get workers for the probes their container's spec has.
  void update(const api::Pod& pod, const std::vector<ProbeTarget>& running);
  // Forgets pod `uid` (stopped or deleted).
  void remove(const std::string& uid);

  // Results for pod `uid` by container name, for the instances that have workers.
  std::map<std::string, ContainerProbeStatus> status(const std::string& uid) const;
  // Workers in existence (tests: no leaks).
  size_t workers() const;

 private:
  struct Task {
    std::string uid;
    ProbeTarget target;
    ProbeWorker worker;
    bool inFlight = false;
    bool removed = false;
  };
  using TaskPtr = std::shared_ptr<Task>;

  void schedulerLoop();
  void runnerLoop();
  void finish(const TaskPtr& task, const ProbeRun& run);
  // Whether `task` must wait for its container's startup probe. REQUIRES: mu_ held.
  bool gated(const Task& task) const;

  ProbeExecutor& executor_;
  const Clock& clock_;
  ProberOptions options_;
  ProberCallbacks callbacks_;
  EventSinkPtr events_;

  mutable std::mutex mu_;
  std::condition_variable schedulerCv_;
  std::condition_variable runnerCv_;
  std::multimap<std::string, TaskPtr> tasks_;  // by pod uid
  std::map<std::string, api::Pod> pods_;       // by uid, for events
  std::deque<TaskPtr> ready_;                  // due, waiting for a runner
  bool stopping_ = false;
  bool started_ = false;
  std::thread scheduler_;
  std::vector<std::thread> runners_;
};

}  // namespace berth::agent
