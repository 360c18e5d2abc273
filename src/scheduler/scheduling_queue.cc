#include "scheduler/scheduling_queue.h"

namespace berth::scheduler {

using nlohmann::json;

namespace {

// The object without what changes on every write and what the scheduler does not react to
// (kube-scheduler's isPodUpdated strips the same fields).
json schedulingRelevant(const PodInfo& pod) {
  if (!pod.object) {
    return json();
  }
  json copy = *pod.object;
  copy.erase("status");
  if (auto meta = copy.find("metadata"); meta != copy.end() && meta->is_object()) {
    meta->erase("resourceVersion");
    meta->erase("generation");
    meta->erase("managedFields");
  }
  return copy;
}

bool podUpdated(const PodInfo& oldPod, const PodInfo& newPod) {
  return schedulingRelevant(oldPod) != schedulingRelevant(newPod);
}

constexpr size_t kMaxRememberedEvents = 64;

}  // namespace

bool SchedulingQueue::Less::operator()(const Entry& a, const Entry& b) const {
  if (framework->less(*a, *b)) {
    return true;
  }
  if (framework->less(*b, *a)) {
    return false;
  }
  return a->sequence < b->sequence;  // a strict total order for the set
}

SchedulingQueue::SchedulingQueue(const Framework& framework, Clock& clock, QueueOptions options)
    : framework_(framework), clock_(clock), options_(options), activeQ_(Less{&framework}) {}

std::chrono::milliseconds SchedulingQueue::backoffDuration(int attempts) const {
  auto duration = options_.initialBackoff;
  for (int i = 1; i < attempts; ++i) {
    if (duration > options_.maxBackoff - duration) {
      return options_.maxBackoff;
    }
    duration += duration;
  }
  return std::min(duration, options_.maxBackoff);
}

Clock::MonoTime SchedulingQueue::backoffExpiry(const QueuedPodInfo& info) const {
  return info.timestamp + backoffDuration(info.attempts);
}

bool SchedulingQueue::backingOffLocked(const QueuedPodInfo& info) const {
  return info.attempts > 0 && backoffExpiry(info) > clock_.monotonic();
}

void SchedulingQueue::addActiveLocked(QueuedPodInfo info) {
  auto entry = std::make_shared<QueuedPodInfo>(std::move(info));
  active_[entry->pod->key] = entry;
  activeQ_.insert(entry);
  cv_.notify_all();
}

void SchedulingQueue::moveToActiveOrBackoffLocked(QueuedPodInfo info) {
  if (backingOffLocked(info)) {
    std::string key = info.pod->key;
    backoff_[key] = std::move(info);
    cv_.notify_all();  // the next deadline may be earlier now
  } else {
    addActiveLocked(std::move(info));
  }
}

void SchedulingQueue::add(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  const std::string& key = pod->key;
  if (closed_) {
    return;
  }
  if (active_.contains(key) || backoff_.contains(key) || unschedulable_.contains(key) ||
      inFlight_.contains(key)) {
    updateLocked(std::move(pod));
    return;
  }
  QueuedPodInfo info;
  info.pod = std::move(pod);
  info.timestamp = clock_.monotonic();
  info.sequence = ++sequence_;
  addActiveLocked(std::move(info));
}

void SchedulingQueue::update(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  if (closed_) {
    return;
  }
  updateLocked(std::move(pod));
}

void SchedulingQueue::updateLocked(PodInfoPtr pod) {
  const std::string key = pod->key;
  if (auto it = inFlight_.find(key); it != inFlight_.end()) {
    if (it->second.latest && podUpdated(*it->second.latest, *pod)) {
      it->second.updated = true;
    }
    it->second.latest = std::move(pod);
    return;
  }
  if (auto it = active_.find(key); it != active_.end()) {
    Entry entry = it->second;
    activeQ_.erase(entry);
    QueuedPodInfo info = *entry;
    info.pod = std::move(pod);
    active_.erase(it);
    addActiveLocked(std::move(info));
    return;
  }
  if (auto it = backoff_.find(key); it != backoff_.end()) {
    it->second.pod = std::move(pod);
    return;
  }
  if (auto it = unschedulable_.find(key); it != unschedulable_.end()) {
    bool changed = podUpdated(*it->second.pod, *pod);
    it->second.pod = std::move(pod);
    if (changed) {
      QueuedPodInfo info = std::move(it->second);
      unschedulable_.erase(it);
      moveToActiveOrBackoffLocked(std::move(info));
    }
    return;
  }
  QueuedPodInfo info;
  info.pod = std::move(pod);
  info.timestamp = clock_.monotonic();
  info.sequence = ++sequence_;
  addActiveLocked(std::move(info));
}

void SchedulingQueue::remove(const std::string& key) {
  std::lock_guard lock(mu_);
  if (auto it = active_.find(key); it != active_.end()) {
    activeQ_.erase(it->second);
    active_.erase(it);
  }
  backoff_.erase(key);
  unschedulable_.erase(key);
  if (auto it = inFlight_.find(key); it != inFlight_.end()) {
    it->second.deleted = true;
  }
}

std::optional<QueuedPodInfo> SchedulingQueue::popLocked() {
  if (activeQ_.empty()) {
    return std::nullopt;
  }
  Entry entry = *activeQ_.begin();
  activeQ_.erase(activeQ_.begin());
  active_.erase(entry->pod->key);
  QueuedPodInfo info = std::move(*entry);
  ++info.attempts;
  if (info.attempts == 1) {
    info.initialAttemptTimestamp = clock_.monotonic();
  }
  inFlight_[info.pod->key] = InFlight{info.pod, false, false, {}};
  return info;
}

std::optional<QueuedPodInfo> SchedulingQueue::pop() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (closed_) {
      return std::nullopt;
    }
    flushLocked();
    if (auto info = popLocked()) {
      return info;
    }
    auto deadline = nextDeadlineLocked();
    if (!deadline) {
      cv_.wait(lock);
      continue;
    }
    auto delay = *deadline - clock_.monotonic();
    if (delay > Clock::MonoTime::duration::zero()) {
      // Wake at the deadline (+1 ms so that the deadline has surely passed).
      cv_.wait_for(lock, delay + std::chrono::milliseconds(1));
    }
  }
}

std::optional<QueuedPodInfo> SchedulingQueue::tryPop() {
  std::lock_guard lock(mu_);
  if (closed_) {
    return std::nullopt;
  }
  flushLocked();
  return popLocked();
}

void SchedulingQueue::addUnschedulable(QueuedPodInfo info) {
  std::lock_guard lock(mu_);
  auto it = inFlight_.find(info.pod->key);
  if (it == inFlight_.end() || it->second.deleted || closed_) {
    if (it != inFlight_.end()) {
      inFlight_.erase(it);
    }
    return;
  }
  InFlight flight = std::move(it->second);
  inFlight_.erase(it);
  info.pod = flight.latest;
  info.timestamp = clock_.monotonic();
  bool moved = flight.updated;
  for (const auto& event : flight.events) {
    moved = moved || framework_.eventMayHelp(event, info.unschedulablePlugins);
  }
  std::string key = info.pod->key;
  if (moved) {
    backoff_[key] = std::move(info);
    cv_.notify_all();
  } else {
    unschedulable_[key] = std::move(info);
  }
}

void SchedulingQueue::addBackoff(QueuedPodInfo info) {
  std::lock_guard lock(mu_);
  auto it = inFlight_.find(info.pod->key);
  if (it != inFlight_.end()) {
    InFlight flight = std::move(it->second);
    inFlight_.erase(it);
    if (flight.deleted) {
      return;
    }
    info.pod = flight.latest;
  }
  if (closed_ || active_.contains(info.pod->key)) {
    return;
  }
  info.timestamp = clock_.monotonic();
  info.unschedulablePlugins.clear();
  std::string key = info.pod->key;
  backoff_[key] = std::move(info);
  cv_.notify_all();
}

void SchedulingQueue::done(const std::string& key) {
  std::lock_guard lock(mu_);
  inFlight_.erase(key);
}

void SchedulingQueue::onEvent(const ClusterEvent& event) {
  std::lock_guard lock(mu_);
  for (auto& [key, flight] : inFlight_) {
    if (flight.events.size() < kMaxRememberedEvents) {
      flight.events.push_back(event);
    } else {
      flight.updated = true;  // too many to remember: retry after back-off
    }
  }
  for (auto it = unschedulable_.begin(); it != unschedulable_.end();) {
    if (framework_.eventMayHelp(event, it->second.unschedulablePlugins)) {
      QueuedPodInfo info = std::move(it->second);
      it = unschedulable_.erase(it);
      moveToActiveOrBackoffLocked(std::move(info));
    } else {
      ++it;
    }
  }
}

bool SchedulingQueue::flushLocked() {
  auto now = clock_.monotonic();
  bool moved = false;
  for (auto it = backoff_.begin(); it != backoff_.end();) {
    if (backoffExpiry(it->second) <= now) {
      QueuedPodInfo info = std::move(it->second);
      it = backoff_.erase(it);
      addActiveLocked(std::move(info));
      moved = true;
    } else {
      ++it;
    }
  }
  for (auto it = unschedulable_.begin(); it != unschedulable_.end();) {
    if (it->second.timestamp + options_.maxInUnschedulable <= now) {
      QueuedPodInfo info = std::move(it->second);
      it = unschedulable_.erase(it);
      moveToActiveOrBackoffLocked(std::move(info));
      moved = true;
    } else {
      ++it;
    }
  }
  return moved;
}

void SchedulingQueue::flush() {
  std::lock_guard lock(mu_);
  flushLocked();
  cv_.notify_all();
}

std::optional<Clock::MonoTime> SchedulingQueue::nextDeadlineLocked() const {
  std::optional<Clock::MonoTime> next;
  auto consider = [&](Clock::MonoTime t) {
    if (!next || t < *next) {
      next = t;
    }
  };
  for (const auto& [key, info] : backoff_) {
    consider(backoffExpiry(info));
  }
  for (const auto& [key, info] : unschedulable_) {
    consider(info.timestamp + options_.maxInUnschedulable);
  }
  return next;
}

void SchedulingQueue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

size_t SchedulingQueue::activeCount() const {
  std::lock_guard lock(mu_);
  return active_.size();
}

size_t SchedulingQueue::backoffCount() const {
  std::lock_guard lock(mu_);
  return backoff_.size();
}

size_t SchedulingQueue::unschedulableCount() const {
  std::lock_guard lock(mu_);
  return unschedulable_.size();
}

bool SchedulingQueue::contains(const std::string& key) const {
  std::lock_guard lock(mu_);
  return active_.contains(key) || backoff_.contains(key) || unschedulable_.contains(key);
}

}  // namespace berth::scheduler
