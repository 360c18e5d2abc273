#include "agent/api_pod_source.h"

#include <spdlog/spdlog.h>

#include "base/json_pointer.h"

namespace berth::agent {

using Steady = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds kDeleteRetryInitial{500};
constexpr std::chrono::milliseconds kDeleteRetryMax{30'000};

}  // namespace

ApiPodSource::ApiPodSource(client::ApiClient& client, std::string nodeName, PodSyncLoop& loop)
    : client_(client), nodeName_(std::move(nodeName)), loop_(loop) {}

ApiPodSource::~ApiPodSource() {
  stop();
}

Status ApiPodSource::start() {
  if (thread_.joinable()) {
    return ok();
  }
  client::ListOptions options;
  options.fieldSelector = "spec.nodeName=" + nodeName_;
  informer_ = std::make_unique<client::Informer>(client_, client::Resource::pods(), options);
  auto changed = [this](const nlohmann::json& object, bool deleted) {
    changes_.note(client::Informer::keyOf(object),
                  deleted ? std::nullopt : std::optional<nlohmann::json>(object));
    {
      std::lock_guard lock(mu_);
      dirty_ = true;
    }
    cv_.notify_one();
  };
  informer_->addHandler(client::InformerHandler{
      .onAdd = [changed](const nlohmann::json& o) { changed(o, false); },
      .onUpdate = [changed](const nlohmann::json&, const nlohmann::json& o) { changed(o, false); },
      .onDelete = [changed](const nlohmann::json& o) { changed(o, true); },
  });
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
    dirty_ = true;
  }
  changes_.reset();
  informer_->start();
  thread_ = std::thread([this] { run(); });
  return ok();
}

void ApiPodSource::stop() {
  if (informer_) {
    informer_->stop();
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool ApiPodSource::hasSynced() const {
  return informer_ && informer_->hasSynced();
}

void ApiPodSource::podRemoved(const api::Pod& pod, const std::string& source) {
  if (source != kApiSource || !informer_) {
    return;
  }
  // Only a deletion the API server asked for ends in a DELETE; a pod that merely left the set
  // (deleted at once, or bound elsewhere) is not ours to remove.
  auto cached = informer_->get(pod.metadata.namespace_ + "/" + pod.metadata.name);
  if (!cached || stringAtPointer(*cached, "/metadata/uid") != pod.metadata.uid ||
      stringAtPointer(*cached, "/metadata/deletionTimestamp").empty()) {
    return;
  }
  {
    std::lock_guard lock(mu_);
    deletions_[pod.metadata.uid] =
        Deletion{pod.metadata.namespace_, pod.metadata.name, Steady::now(), {}};
  }
  cv_.notify_one();
}

void ApiPodSource::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // Wake for a changed set, a due deletion, or at least every second until the first list.
    auto wake = Steady::now() + std::chrono::seconds(1);
    for (const auto& [uid, d] : deletions_) {
      wake = std::min(wake, d.notBefore);
    }
    cv_.wait_until(lock, wake, [this] {
      if (stopping_ || (dirty_ && hasSynced())) {
        return true;
      }
      auto now = Steady::now();
      for (const auto& [uid, d] : deletions_) {
        if (d.notBefore <= now) {
          return true;
        }
      }
      return false;
    });
    if (stopping_) {
      return;
    }
    bool handOverNow = dirty_ && hasSynced();
    if (handOverNow) {
      dirty_ = false;
    }
    lock.unlock();
    if (handOverNow) {
      handOver();
    }
    deleteDue();
    lock.lock();
  }
}

void ApiPodSource::handOver() {
  auto handOver = changes_.take([this] { return informer_->list(); },
                                [this](const std::string& uid) { return loop_.hasPod(uid); });
  if (handOver.complete) {
    loop_.setPods(kApiSource, std::move(handOver.pods));
  } else {
    loop_.applyPods(kApiSource, std::move(handOver.pods), handOver.removed);
  }
}

void ApiPodSource::deleteDue() {
  std::vector<std::pair<std::string, Deletion>> due;
  {
    std::lock_guard lock(mu_);
    auto now = Steady::now();
    for (const auto& [uid, d] : deletions_) {
      if (d.notBefore <= now) {
        due.emplace_back(uid, d);
      }
    }
  }
  for (auto& [uid, d] : due) {
    auto cached = informer_->get(d.namespace_ + "/" + d.name);
    if (!cached || stringAtPointer(*cached, "/metadata/uid") != uid) {
      std::lock_guard lock(mu_);
      deletions_.erase(uid);  // removed meanwhile
      continue;
    }
    client::DeleteOptions options;
    options.gracePeriodSeconds = 0;
    options.preconditionUid = uid;
    auto removed = client_.remove(client::Resource::pods(d.namespace_), d.name, options);
    std::lock_guard lock(mu_);
    if (removed || removed.error().code() == ErrorCode::kNotFound ||
        removed.error().code() == ErrorCode::kConflict) {
      // Gone, or the name belongs to a newer pod (the uid precondition failed).
      if (removed) {
        spdlog::info("deleted pod '{}/{}' ({})", d.namespace_, d.name, uid);
      }
      deletions_.erase(uid);
      continue;
    }
    spdlog::warn("delete pod '{}/{}': {}", d.namespace_, d.name, removed.error().message());
    auto it = deletions_.find(uid);
    if (it == deletions_.end()) {
      continue;
    }
    it->second.delay = it->second.delay.count() == 0
                           ? kDeleteRetryInitial
                           : std::min(it->second.delay * 2, kDeleteRetryMax);
    it->second.notBefore = Steady::now() + it->second.delay;
  }
}

}  // namespace berth::agent
