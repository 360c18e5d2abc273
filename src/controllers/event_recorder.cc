#include "controllers/event_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/random.h"
#include "controllers/controller_utils.h"

namespace berth::controllers {

using nlohmann::json;

json controllerEvent(const json& object, const std::string& type, const std::string& reason,
                     const std::string& message, const std::string& component,
                     Clock::WallTime now) {
  std::string time = rfc3339(now);
  std::string ns = metaString(object, "namespace");
  std::string name = metaString(object, "name");
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name + "." + randomHex(8)}, {"namespace", ns}}},
          {"involvedObject",
           {{"apiVersion", object.value("apiVersion", "")},
            {"kind", object.value("kind", "")},
            {"namespace", ns},
            {"name", name},
            {"uid", metaString(object, "uid")},
            {"resourceVersion", metaString(object, "resourceVersion")}}},
          {"reason", reason},
          {"message", message},
          {"type", type},
          {"source", {{"component", component}}},
          {"firstTimestamp", time},
          {"lastTimestamp", time},
          {"count", 1},
          {"reportingComponent", component},
          {"reportingInstance", ""}};
}

EventRecorder::EventRecorder(client::ApiClient& client, const Clock& clock, std::string component,
                             size_t queueLimit, size_t cacheSize)
    : client_(client),
      clock_(clock),
      component_(std::move(component)),
      queueLimit_(queueLimit),
      cacheSize_(std::max<size_t>(cacheSize, 1)) {}

EventRecorder::~EventRecorder() {
  stop();
}

void EventRecorder::start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) {
    return;
  }
  started_ = true;
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

void EventRecorder::record(const json& object, const std::string& type, const std::string& reason,
                           const std::string& message) {
  json event = controllerEvent(object, type, reason, message, component_, clock_.now());
  std::lock_guard lock(mu_);
  if (stopping_) {
    return;
  }
  if (queue_.size() >= queueLimit_) {
    spdlog::warn("{}: event queue full, dropping event '{}' about '{}'", component_, reason,
                 metaString(object, "name"));
    return;
  }
  queue_.push_back(std::move(event));
  cv_.notify_one();
}

void EventRecorder::run() {
  auto deadline = std::optional<std::chrono::steady_clock::time_point>();
  for (;;) {
    json event;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_ && !deadline) {
        deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      }
      if (queue_.empty() || (deadline && std::chrono::steady_clock::now() > *deadline)) {
        return;
      }
      event = std::move(queue_.front());
      queue_.pop_front();
    }
    post(std::move(event));
  }
}

void EventRecorder::post(json event) {
  const json& involved = event["involvedObject"];
  std::string key =
      fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", involved.value("apiVersion", ""),
                  involved.value("kind", ""), involved.value("namespace", ""),
                  involved.value("name", ""), involved.value("uid", ""), event.value("type", ""),
                  event.value("reason", ""), event.value("message", ""));
  std::string ns = event["metadata"].value("namespace", "");
  auto resource = client::Resource::events(ns);
  if (auto it = posted_.find(key); it != posted_.end()) {
    Posted& seen = it->second;
    json patch = {{"count", seen.count + 1}, {"lastTimestamp", event["lastTimestamp"]}};
    auto r = client_.patch(resource, seen.name, client::PatchType::kMerge, patch);
    if (r) {
      ++seen.count;
      lru_.splice(lru_.begin(), lru_, seen.lru);
      return;
    }
    lru_.erase(seen.lru);
    posted_.erase(it);
    if (r.error().code() != ErrorCode::kNotFound) {
      spdlog::warn("{}: count event '{}': {}", component_, event.value("reason", ""),
                   r.error().message());
      return;
    }
    // Gone (deleted, or expired): post it afresh.
  }
  auto r = client_.create(resource, event);
  if (!r) {
    spdlog::warn("{}: post event '{}': {}", component_, event.value("reason", ""),
                 r.error().message());
    return;
  }
  lru_.push_front(key);
  posted_[key] = Posted{metaString(*r, "name"), 1, lru_.begin()};
  if (posted_.size() > cacheSize_) {
    posted_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace berth::controllers
