#include "agent/prober.h"

#include <spdlog/spdlog.h>

namespace berth::agent {

namespace {

const api::Container* findContainer(const api::Pod& pod, const std::string& name) {
  for (const auto& c : pod.spec.containers) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace

Prober::Prober(ProbeExecutor& executor, const Clock& clock, ProberOptions options)
    : executor_(executor), clock_(clock), options_(options) {}

Prober::~Prober() {
  stop();
}

void Prober::setCallbacks(ProberCallbacks callbacks) {
  std::lock_guard lock(mu_);
  callbacks_ = std::move(callbacks);
}

void Prober::setEventSink(EventSinkPtr sink) {
  std::lock_guard lock(mu_);
  events_ = std::move(sink);
}

void Prober::start() {
  std::lock_guard lock(mu_);
  if (started_) {
    return;
  }
  started_ = true;
  stopping_ = false;
  scheduler_ = std::thread([this] { schedulerLoop(); });
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    runners_.emplace_back([this] { runnerLoop(); });
  }
}

void Prober::stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_) {
      return;
    }
    started_ = false;
    stopping_ = true;
  }
  schedulerCv_.notify_all();
  runnerCv_.notify_all();
  scheduler_.join();
  for (auto& t : runners_) {
    t.join();
  }
  runners_.clear();
  std::lock_guard lock(mu_);
  ready_.clear();
  for (auto& [uid, task] : tasks_) {
    task->inFlight = false;
  }
}

void Prober::update(const api::Pod& pod, const std::vector<ProbeTarget>& running) {
  const std::string& uid = pod.metadata.uid;
  std::lock_guard lock(mu_);
  auto [first, last] = tasks_.equal_range(uid);
  // Workers of instances that no longer run go.
  for (auto it = first; it != last;) {
    bool keep = false;
    for (const auto& t : running) {
      keep = keep || (t.container == it->second->target.container &&
                      t.runtimeId == it->second->target.runtimeId);
    }
    if (keep) {
      ++it;
    } else {
      it->second->removed = true;
      it = tasks_.erase(it);
    }
  }
  bool added = false;
  const auto mono = clock_.monotonic();
  const auto wall = clock_.now();
  for (const auto& t : running) {
    bool known = false;
    auto [from, to] = tasks_.equal_range(uid);
    for (auto it = from; it != to; ++it) {
      known = known || (it->second->target.container == t.container &&
                        it->second->target.runtimeId == t.runtimeId);
    }
    const api::Container* spec = findContainer(pod, t.container);
    if (known || !spec) {
      continue;
    }
    // The instance's start on the monotonic clock (initialDelaySeconds counts from it).
    auto started = mono - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::max(wall - t.startedAt, Clock::WallTime::duration::zero()));
    auto add = [&](const std::optional<api::Probe>& probe, ProbeKind kind) {
      if (probe) {
        tasks_.emplace(uid,
                       std::make_shared<Task>(Task{uid, t, ProbeWorker(kind, *probe, started)}));
        added = true;
      }
    };
    add(spec->startupProbe, ProbeKind::kStartup);
    add(spec->livenessProbe, ProbeKind::kLiveness);
    add(spec->readinessProbe, ProbeKind::kReadiness);
  }
  if (tasks_.count(uid) > 0) {
    api::Pod& kept = pods_[uid];
    kept.metadata = pod.metadata;
    kept.apiVersion = pod.apiVersion;
    kept.kind = pod.kind;
  } else {
    pods_.erase(uid);
  }
  if (added) {
    schedulerCv_.notify_all();
  }
}

void Prober::remove(const std::string& uid) {
  std::lock_guard lock(mu_);
  auto [first, last] = tasks_.equal_range(uid);
  for (auto it = first; it != last; ++it) {
    it->second->removed = true;
  }
  tasks_.erase(uid);
  pods_.erase(uid);
}

std::map<std::string, ContainerProbeStatus> Prober::status(const std::string& uid) const {
  std::lock_guard lock(mu_);
  std::map<std::string, ContainerProbeStatus> out;
  auto [first, last] = tasks_.equal_range(uid);
  for (auto it = first; it != last; ++it) {
    const Task& task = *it->second;
    ContainerProbeStatus& s = out[task.target.container];
    s.runtimeId = task.target.runtimeId;
    if (task.worker.kind() == ProbeKind::kStartup) {
      s.started = task.worker.success();
    } else if (task.worker.kind() == ProbeKind::kReadiness) {
      s.ready = task.worker.success();
    }
  }
  return out;
}

size_t Prober::workers() const {
  std::lock_guard lock(mu_);
  return tasks_.size();
}

bool Prober::gated(const Task& task) const {
  if (task.worker.kind() == ProbeKind::kStartup) {
    return false;
  }
  auto [first, last] = tasks_.equal_range(task.uid);
  for (auto it = first; it != last; ++it) {
    const Task& other = *it->second;
    if (other.worker.kind() == ProbeKind::kStartup &&
        other.target.container == task.target.container &&
        other.target.runtimeId == task.target.runtimeId && !other.worker.success()) {
      return true;
    }
  }
  return false;
}

void Prober::schedulerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const auto now = clock_.monotonic();
    auto next = Clock::MonoTime::max();
    for (auto& [uid, task] : tasks_) {
      if (task->inFlight || task->worker.done()) {
        continue;
      }
      if (task->worker.due() > now) {
        next = std::min(next, task->worker.due());
        continue;
      }
      if (gated(*task)) {
        task->worker.skip(now);
        next = std::min(next, task->worker.due());
        continue;
      }
      task->inFlight = true;
      ready_.push_back(task);
      runnerCv_.notify_one();
    }
    if (next == Clock::MonoTime::max()) {
      schedulerCv_.wait(lock);
    } else {
      schedulerCv_.wait_for(lock, next - now);
    }
  }
}

void Prober::runnerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    runnerCv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (stopping_) {
      return;
    }
    TaskPtr task = ready_.front();
    ready_.pop_front();
    if (task->removed) {
      continue;
    }
    // The task's probe and target never change after creation: safe to use unlocked.
    const api::Probe& probe = task->worker.probe();
    auto timeout = task->worker.timeout();
    lock.unlock();
    ProbeRun run = executor_.run(probe, task->target, timeout);
    finish(task, run);
    lock.lock();
  }
}

void Prober::finish(const TaskPtr& task, const ProbeRun& run) {
  ProbeVerdict verdict = ProbeVerdict::kNone;
  ProberCallbacks callbacks;
  EventSinkPtr events;
  api::Pod pod;
  {
    std::lock_guard lock(mu_);
    task->inFlight = false;
    if (task->removed || stopping_) {
      return;
    }
    const auto now = clock_.monotonic();
    const bool wasStarted = task->worker.success();
    verdict = task->worker.observe(run.outcome, now);
    if (task->worker.kind() == ProbeKind::kStartup && !wasStarted && task->worker.success()) {
      // Started: liveness and readiness begin at once rather than a period later.
      auto [first, last] = tasks_.equal_range(task->uid);
      for (auto it = first; it != last; ++it) {
        if (it->second->target.runtimeId == task->target.runtimeId && it->second != task) {
          it->second->worker.skip(
              now - std::chrono::seconds(std::max(1, it->second->worker.probe().periodSeconds)));
        }
      }
    }
    callbacks = callbacks_;
    events = events_;
    if (auto it = pods_.find(task->uid); it != pods_.end()) {
      pod = it->second;
    }
  }
  schedulerCv_.notify_all();
  const char* kind = probeKindName(task->worker.kind());
  if (run.outcome == ProbeOutcome::kFailure && events && !pod.metadata.uid.empty()) {
    events->record(pod, events::unhealthy(events::containerFieldPath(task->target.container, false),
                                          kind, run.output));
  }
  if (run.outcome == ProbeOutcome::kFailure) {
    spdlog::debug("pod '{}/{}' container '{}': {} probe failed: {}", pod.metadata.namespace_,
                  pod.metadata.name, task->target.container, kind, run.output);
  }
  if (verdict == ProbeVerdict::kKill && callbacks.kill) {
    callbacks.kill(task->uid, task->target.container, task->target.runtimeId, task->worker.kind());
  } else if (verdict != ProbeVerdict::kNone && callbacks.changed) {
    callbacks.changed(task->uid);
  }
}

}  // namespace berth::agent
