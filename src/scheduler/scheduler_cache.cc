#include "scheduler/scheduler_cache.h"

namespace berth::scheduler {

NodeInfoPtr Snapshot::get(const std::string& name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second;
}

SchedulerCache::SchedulerCache(Clock& clock, std::chrono::milliseconds assumedPodTtl)
    : clock_(clock), assumedPodTtl_(assumedPodTtl) {}

NodeInfo& SchedulerCache::nodeLocked(const std::string& name) {
  auto& slot = nodes_[name];
  if (!slot) {
    slot = std::make_shared<NodeInfo>();
  }
  slot->generation = ++generation_;
  return *slot;
}

void SchedulerCache::addNode(NodeSpecPtr node) {
  std::lock_guard lock(mu_);
  std::string name = node->name;
  nodeLocked(name).setNode(std::move(node));
}

void SchedulerCache::removeNode(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) {
    return;
  }
  ++generation_;
  if (it->second->pods().empty()) {
    nodes_.erase(it);
  } else {
    it->second->setNode(nullptr);
    it->second->generation = generation_;
  }
}

void SchedulerCache::addPodLocked(PodInfoPtr pod, bool assumed) {
  std::string key = pod->key;
  nodeLocked(pod->nodeName).addPod(pod);
  pods_[key] = PodState{std::move(pod), assumed, false, {}};
}

void SchedulerCache::removePodLocked(const std::string& key) {
  auto it = pods_.find(key);
  if (it == pods_.end()) {
    return;
  }
  std::string nodeName = it->second.pod->nodeName;
  pods_.erase(it);
  auto n = nodes_.find(nodeName);
  if (n == nodes_.end()) {
    return;
  }
  n->second->removePod(key);
  n->second->generation = ++generation_;
  if (!n->second->node() && n->second->pods().empty()) {
    nodes_.erase(n);
  }
}

void SchedulerCache::addPod(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  removePodLocked(pod->key);
  addPodLocked(std::move(pod), false);
}

void SchedulerCache::removePod(const std::string& key) {
  std::lock_guard lock(mu_);
  removePodLocked(key);
}

Status SchedulerCache::assumePod(const PodInfoPtr& pod, const std::string& nodeName) {
  std::lock_guard lock(mu_);
  if (pods_.contains(pod->key)) {
    return fail(ErrorCode::kAlreadyExists, "pod '{}' is already in the scheduler cache", pod->key);
  }
  auto assumed = std::make_shared<PodInfo>(*pod);
  assumed->nodeName = nodeName;
  addPodLocked(std::move(assumed), true);
  return ok();
}

void SchedulerCache::finishBinding(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = pods_.find(key);
  if (it != pods_.end() && it->second.assumed) {
    it->second.bindingFinished = true;
    it->second.deadline = clock_.monotonic() + assumedPodTtl_;
  }
}

void SchedulerCache::forgetPod(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = pods_.find(key);
  if (it != pods_.end() && it->second.assumed) {
    removePodLocked(key);
  }
}

bool SchedulerCache::isAssumed(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = pods_.find(key);
  return it != pods_.end() && it->second.assumed;
}

bool SchedulerCache::hasPod(const std::string& key) const {
  std::lock_guard lock(mu_);
  return pods_.contains(key);
}

size_t SchedulerCache::cleanupExpiredAssumedPods() {
  if (assumedPodTtl_.count() <= 0) {
    return 0;
  }
  std::lock_guard lock(mu_);
  auto now = clock_.monotonic();
  std::vector<std::string> expired;
  for (const auto& [key, state] : pods_) {
    if (state.assumed && state.bindingFinished && state.deadline <= now) {
      expired.push_back(key);
    }
  }
  for (const auto& key : expired) {
    removePodLocked(key);
  }
  return expired.size();
}

void SchedulerCache::updateSnapshot(Snapshot& snapshot) {
  std::lock_guard lock(mu_);
  if (snapshot.generation_ == generation_) {
    return;
  }
  bool changed = false;
  for (const auto& [name, info] : nodes_) {
    if (!info->node()) {
      changed = snapshot.byName_.erase(name) > 0 || changed;
      continue;
    }
    auto it = snapshot.byName_.find(name);
    if (it == snapshot.byName_.end() || info->generation > snapshot.generation_) {
      snapshot.byName_[name] = std::make_shared<const NodeInfo>(*info);
      changed = true;
    }
  }
  for (auto it = snapshot.byName_.begin(); it != snapshot.byName_.end();) {
    if (!nodes_.contains(it->first)) {
      it = snapshot.byName_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  if (changed) {
    snapshot.list_.clear();
    for (const auto& [name, info] : snapshot.byName_) {
      snapshot.list_.push_back(info);
    }
  }
  snapshot.generation_ = generation_;
}

size_t SchedulerCache::nodeCount() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [name, info] : nodes_) {
    n += info->node() ? 1 : 0;
  }
  return n;
}

size_t SchedulerCache::podCount() const {
  std::lock_guard lock(mu_);
  return pods_.size();
}

}  // namespace berth::scheduler
