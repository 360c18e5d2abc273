#include "agent/event_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace berth::agent {

using nlohmann::json;

nlohmann::json buildEvent(const api::Pod& pod, const PodEvent& event, const std::string& name,
                          const std::string& nodeName, const std::string& now) {
  json involved = {
      {"kind", "Pod"},
      {"namespace", pod.metadata.namespace_},
      {"name", pod.metadata.name},
      {"uid", pod.metadata.uid},
      {"apiVersion", "v1"},
  };
  if (!pod.metadata.resourceVersion.empty()) {
    involved["resourceVersion"] = pod.metadata.resourceVersion;
  }
  if (!event.fieldPath.empty()) {
    involved["fieldPath"] = event.fieldPath;
  }
  return {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name}, {"namespace", pod.metadata.namespace_}}},
      {"involvedObject", std::move(involved)},
      {"reason", event.reason},
      {"message", event.message},
      {"source", {{"component", "kubelet"}, {"host", nodeName}}},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1},
      {"type", event.type == EventType::kWarning ? "Warning" : "Normal"},
      {"eventTime", nullptr},
      {"reportingComponent", "kubelet"},
      {"reportingInstance", nodeName},
  };
}

EventRecorder::EventRecorder(client::ApiClient& client, EventRecorderOptions options,
                             const Clock& clock)
    : client_(client), options_(std::move(options)), clock_(clock) {}

EventRecorder::~EventRecorder() {
  stop();
}

void EventRecorder::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) {
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void EventRecorder::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void EventRecorder::record(const api::Pod& pod, PodEvent event) {
  Queued q;
  q.pod.metadata.name = pod.metadata.name;
  q.pod.metadata.namespace_ = pod.metadata.namespace_;
  q.pod.metadata.uid = pod.metadata.uid;
  q.pod.metadata.resourceVersion = pod.metadata.resourceVersion;
  q.event = std::move(event);
  q.at = clock_.now();
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= options_.queueLimit) {
      spdlog::warn("event queue full; dropping event {} for pod '{}/{}'", q.event.reason,
                   pod.metadata.namespace_, pod.metadata.name);
      return;
    }
    queue_.push_back(std::move(q));
  }
  cv_.notify_one();
}

uint64_t EventRecorder::created() const {
  std::lock_guard lock(mu_);
  return created_;
}

uint64_t EventRecorder::patched() const {
  std::lock_guard lock(mu_);
  return patched_;
}

void EventRecorder::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) {
      return;
    }
    Queued q = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    send(q);
    lock.lock();
  }
}

void EventRecorder::send(const Queued& q) {
  const auto& meta = q.pod.metadata;
  std::string key = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}", meta.uid, q.event.fieldPath,
                                static_cast<int>(q.event.type), q.event.reason, q.event.message);
  std::string now = rfc3339(q.at);
  auto it = seen_.find(key);
  if (it != seen_.end() && q.at - it->second.last <= options_.aggregateWindow) {
    Seen& s = it->second;
    json patch = {{"count", s.count + 1}, {"lastTimestamp", now}};
    auto patched = client_.patch(client::Resource::events(s.namespace_), s.name,
                                 client::PatchType::kMerge, patch);
    if (patched) {
      s.count++;
      s.last = q.at;
      std::lock_guard lock(mu_);
      patched_++;
      return;
    }
    if (patched.error().code() != ErrorCode::kNotFound) {
      spdlog::warn("update event {} of pod '{}/{}': {}", q.event.reason, meta.namespace_, meta.name,
                   patched.error().message());
      return;
    }
    seen_.erase(it);  // the stored event expired: post a new one
  }
  // Forget aggregation state that can no longer match, so that the map stays small.
  if (seen_.size() > 4096) {
    std::erase_if(seen_,
                  [&](const auto& kv) { return q.at - kv.second.last > options_.aggregateWindow; });
  }
  // Named as the kubelet names events, "<pod>.<nanoseconds in hex>", so that a list sorted by
  // name is in the order they happened; strictly increasing within this recorder.
  int64_t nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(q.at.time_since_epoch()).count();
  lastNanos_ = std::max(nanos, lastNanos_ + 1);
  std::string name = fmt::format("{}.{:x}", meta.name, lastNanos_);
  auto created = client_.create(client::Resource::events(meta.namespace_),
                                buildEvent(q.pod, q.event, name, options_.nodeName, now));
  if (!created) {
    spdlog::warn("post event {} of pod '{}/{}': {}", q.event.reason, meta.namespace_, meta.name,
                 created.error().message());
    return;
  }
  seen_[key] = Seen{meta.namespace_, name, 1, q.at};
  std::lock_guard lock(mu_);
  created_++;
}

}  // namespace berth::agent
