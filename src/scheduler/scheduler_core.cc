#include "scheduler/scheduler_core.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "scheduler/plugins.h"

namespace berth::scheduler {

using nlohmann::json;

namespace {

// Event messages are capped as kube-scheduler caps them (truncateMessage, 1024 bytes).
std::string truncateMessage(const std::string& message) {
  constexpr size_t kMax = 1024;
  if (message.size() <= kMax) {
    return message;
  }
  return message.substr(0, kMax - 4) + " ...";
}

PodRef refOf(const PodInfo& pod) {
  return {pod.namespace_, pod.name, pod.uid};
}

std::string nodeNameOf(const json& pod) {
  auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) {
    return "";
  }
  auto n = spec->find("nodeName");
  return n != spec->end() && n->is_string() ? n->get<std::string>() : "";
}

std::map<std::string, std::string> conditionStatuses(const json& node) {
  std::map<std::string, std::string> out;
  auto status = node.find("status");
  if (status == node.end() || !status->is_object()) {
    return out;
  }
  auto conds = status->find("conditions");
  if (conds == status->end() || !conds->is_array()) {
    return out;
  }
  for (const auto& c : *conds) {
    if (c.is_object()) {
      out[c.value("type", "")] = c.value("status", "");
    }
  }
  return out;
}

bool requestsShrank(const Resources& before, const Resources& after) {
  if (after.milliCpu < before.milliCpu || after.memory < before.memory ||
      after.ephemeralStorage < before.ephemeralStorage) {
    return true;
  }
  for (const auto& [name, value] : before.scalar) {
    auto it = after.scalar.find(name);
    if ((it == after.scalar.end() ? 0 : it->second) < value) {
      return true;
    }
  }
  return false;
}

uint64_t seedOf(const SchedulerOptions& options) {
  if (options.seed) {
    return *options.seed;
  }
  return std::random_device{}();
}

}  // namespace

SchedulerCore::SchedulerCore(ClusterWriter& writer, SchedulerOptions options, Clock& clock)
    : SchedulerCore(writer, options, clock, defaultProfile(writer)) {}

SchedulerCore::SchedulerCore(ClusterWriter& writer, SchedulerOptions options, Clock& clock,
                             Profile profile)
    : writer_(writer),
      options_(std::move(options)),
      clock_(clock),
      framework_(std::move(profile)),
      queue_(framework_, clock_, options_.queue),
      cache_(clock_, options_.assumedPodTtl),
      rng_(seedOf(options_)),
      writes_(options_.asyncWrites, options_.bindingLanes) {}

SchedulerCore::~SchedulerCore() {
  stop();
}

bool SchedulerCore::responsible(const PodInfo& pod) const {
  return pod.schedulerName == options_.schedulerName && !pod.deleting;
}

// ---- informer handlers ----

void SchedulerCore::onPodAdd(const json& object) {
  PodInfoPtr pod = parsePod(object);
  if (!pod->nodeName.empty()) {
    if (!pod->terminal()) {
      cache_.addPod(pod);
      queue_.onEvent({EventResource::kAssignedPod, kAdd});
    }
    return;
  }
  if (responsible(*pod)) {
    queue_.add(std::move(pod));
  }
}

void SchedulerCore::onPodUpdate(const json& oldObject, const json& newObject) {
  PodInfoPtr pod = parsePod(newObject);
  bool wasAssigned = !nodeNameOf(oldObject).empty();
  if (pod->nodeName.empty()) {
    if (responsible(*pod)) {
      queue_.update(std::move(pod));
    } else {
      queue_.remove(pod->key);
    }
    return;
  }
  if (!wasAssigned) {
    queue_.remove(pod->key);  // bound (by us or someone else)
    forgetFailureMessage(pod->key);
  }
  if (pod->terminal()) {
    bool had = cache_.hasPod(pod->key);
    cache_.removePod(pod->key);
    if (had) {
      queue_.onEvent({EventResource::kAssignedPod, kDelete});
    }
    return;
  }
  bool shrank = wasAssigned && requestsShrank(parsePod(oldObject)->requests, pod->requests);
  cache_.addPod(pod);
  if (!wasAssigned) {
    queue_.onEvent({EventResource::kAssignedPod, kAdd});
  } else if (shrank) {
    queue_.onEvent({EventResource::kAssignedPod, kUpdatePodScaleDown});
  }
}

void SchedulerCore::onPodDelete(const json& object) {
  std::string key = podKey(object);
  queue_.remove(key);
  forgetFailureMessage(key);
  if (cache_.hasPod(key)) {
    cache_.removePod(key);
    queue_.onEvent({EventResource::kAssignedPod, kDelete});
  }
}

void SchedulerCore::onNodeAdd(const json& object) {
  cache_.addNode(parseNode(object));
  queue_.onEvent({EventResource::kNode, kAdd});
}

void SchedulerCore::onNodeUpdate(const json& oldObject, const json& newObject) {
  NodeSpecPtr before = parseNode(oldObject);
  NodeSpecPtr after = parseNode(newObject);
  cache_.addNode(after);
  uint32_t actions = 0;
  if (!(before->allocatable == after->allocatable)) {
    actions |= kUpdateNodeAllocatable;
  }
  if (before->labels != after->labels) {
    actions |= kUpdateNodeLabel;
  }
  if (before->taints != after->taints || before->unschedulable != after->unschedulable) {
    actions |= kUpdateNodeTaint;
  }
  if (conditionStatuses(oldObject) != conditionStatuses(newObject)) {
    actions |= kUpdateNodeCondition;
  }
  if (actions != 0) {
    queue_.onEvent({EventResource::kNode, actions});
  }
}

void SchedulerCore::onNodeDelete(const json& object) {
  cache_.removeNode(parseNode(object)->name);
}

// ---- scheduling ----

bool SchedulerCore::scheduleOne(bool wait) {
  std::optional<QueuedPodInfo> info = wait ? queue_.pop() : queue_.tryPop();
  if (!info) {
    return false;
  }
  PodInfoPtr pod = info->pod;
  if (pod->deleting || cache_.hasPod(pod->key)) {
    queue_.done(pod->key);  // being deleted, or already assumed/bound
    return true;
  }
  cache_.cleanupExpiredAssumedPods();
  cache_.updateSnapshot(snapshot_);
  ScheduleResult result = schedulePod(framework_, *pod, snapshot_.nodes(), rng_);
  if (!result.ok()) {
    handleFailure(std::move(*info), result);
    return true;
  }
  if (auto s = cache_.assumePod(pod, result.nodeName); !s) {
    ScheduleResult err;
    err.error = true;
    err.message = s.error().message();
    handleFailure(std::move(*info), err);
    return true;
  }
  spdlog::debug("scheduler: assumed pod '{}' on node '{}' ({} feasible)", pod->key, result.nodeName,
                result.feasibleNodes);
  writes_.post(pod->key, [this, info = std::move(*info), node = result.nodeName]() mutable {
    bindingCycle(std::move(info), node);
  });
  return true;
}

void SchedulerCore::bindingCycle(QueuedPodInfo info, const std::string& nodeName) {
  PodInfoPtr pod = info.pod;
  berth::Status bound = framework_.runBind(*pod, nodeName);
  if (bound) {
    cache_.finishBinding(pod->key);
    queue_.done(pod->key);
    forgetFailureMessage(pod->key);
    (void)writer_.recordEvent(
        refOf(*pod), "Normal", "Scheduled",
        fmt::format("Successfully assigned {}/{} to {}", pod->namespace_, pod->name, nodeName));
    return;
  }
  const Error& e = bound.error();
  spdlog::warn("scheduler: binding pod '{}' to node '{}': {}", pod->key, nodeName, e.message());
  cache_.forgetPod(pod->key);
  queue_.onEvent({EventResource::kAssignedPod, kDelete});  // its requests are free again
  if (e.code() == ErrorCode::kNotFound || e.code() == ErrorCode::kConflict) {
    // Deleted, or bound elsewhere meanwhile: the watch brings the truth.
    queue_.done(pod->key);
    return;
  }
  std::string message = fmt::format("running Bind plugin \"DefaultBinder\": {}", e.message());
  if (failureMessageChanged(*pod, message)) {
    (void)writer_.setUnschedulable(refOf(*pod), "SchedulerError", message);
    (void)writer_.recordEvent(refOf(*pod), "Warning", "FailedScheduling", truncateMessage(message));
  }
  queue_.addBackoff(std::move(info));
}

void SchedulerCore::handleFailure(QueuedPodInfo info, const ScheduleResult& result) {
  PodInfoPtr pod = info.pod;
  spdlog::debug("scheduler: pod '{}' unschedulable: {}", pod->key, result.message);
  if (result.error) {
    queue_.addBackoff(std::move(info));
  } else {
    info.unschedulablePlugins = result.unschedulablePlugins;
    queue_.addUnschedulable(std::move(info));
  }
  if (!failureMessageChanged(*pod, result.message)) {
    return;
  }
  std::string reason = result.error ? "SchedulerError" : "Unschedulable";
  writes_.post(pod->key, [this, pod, reason, message = result.message] {
    if (auto s = writer_.setUnschedulable(refOf(*pod), reason, message); !s) {
      spdlog::warn("scheduler: updating status of pod '{}': {}", pod->key, s.error().message());
    }
    if (auto s = writer_.recordEvent(refOf(*pod), "Warning", "FailedScheduling",
                                     truncateMessage(message));
        !s) {
      spdlog::warn("scheduler: recording event for pod '{}': {}", pod->key, s.error().message());
    }
  });
}

bool SchedulerCore::failureMessageChanged(const PodInfo& pod, const std::string& message) {
  std::lock_guard lock(mu_);
  auto it = lastFailure_.find(pod.key);
  if (it == lastFailure_.end()) {
    lastFailure_[pod.key] = message;
    // After a restart, the pod's condition tells what was reported last.
    return !(pod.scheduledConditionStatus == "False" && pod.scheduledConditionMessage == message);
  }
  if (it->second == message) {
    return false;
  }
  it->second = message;
  return true;
}

void SchedulerCore::forgetFailureMessage(const std::string& key) {
  std::lock_guard lock(mu_);
  lastFailure_.erase(key);
}

// ---- threads ----

void SchedulerCore::start(std::function<bool()> ready) {
  if (loop_.joinable() || stopping_) {
    return;
  }
  loop_ = std::thread([this, ready = std::move(ready)] {
    while (ready && !stopping_ && !ready()) {
    }
    while (!stopping_ && scheduleOne(true)) {
    }
  });
}

void SchedulerCore::stop() {
  stopping_ = true;
  queue_.close();
  if (loop_.joinable()) {
    loop_.join();
  }
  writes_.stop();
}

}  // namespace berth::scheduler
