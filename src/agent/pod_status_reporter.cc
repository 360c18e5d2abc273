#include "agent/pod_status_reporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/pod_codec.h"

namespace berth::agent {

using Steady = std::chrono::steady_clock;

PodStatusReporter::PodStatusReporter(Sender sender, StatusReporterOptions options)
    : sender_(std::move(sender)), options_(std::move(options)) {}

PodStatusReporter::~PodStatusReporter() {
  stop();
}

PodStatusReporter::Sender PodStatusReporter::apiSender(client::ApiClient& client) {
  return [&client](const api::Pod& pod) -> Status {
    nlohmann::json body = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata",
         {{"name", pod.metadata.name},
          {"namespace", pod.metadata.namespace_},
          {"uid", pod.metadata.uid}}},
        {"status", api::encodePod(pod)["status"]},
    };
    BERTH_TRY_STATUS(
        client.update(client::Resource::pods(pod.metadata.namespace_), body, "status"));
    return ok();
  };
}

void PodStatusReporter::start() {
  std::lock_guard lock(mu_);
  if (!threads_.empty()) {
    return;
  }
  stopping_ = false;
  for (int i = 0; i < std::max(1, options_.senders); ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

void PodStatusReporter::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) {
    t.join();
  }
}

void PodStatusReporter::update(const api::Pod& pod, const std::string& source) {
  if (source != options_.source || pod.metadata.uid.empty()) {
    return;
  }
  {
    std::lock_guard lock(mu_);
    Pending& p = pods_[pod.metadata.uid];
    p.pod = pod;
    if (!p.dirty) {
      p.dirty = true;
      p.dirtySince = Steady::now();
    }
  }
  cv_.notify_one();
}

void PodStatusReporter::forget(const std::string& uid) {
  std::lock_guard lock(mu_);
  pods_.erase(uid);
}

uint64_t PodStatusReporter::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

bool PodStatusReporter::idle() const {
  std::lock_guard lock(mu_);
  for (const auto& [uid, p] : pods_) {
    if (p.dirty) {
      return false;
    }
  }
  return inFlight_.empty();
}

void PodStatusReporter::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto now = Steady::now();
    auto next = Steady::time_point::max();
    std::string uid;
    auto oldest = Steady::time_point::max();
    for (const auto& [u, p] : pods_) {
      if (!p.dirty || inFlight_.contains(u)) {
        continue;
      }
      if (p.notBefore > now) {
        next = std::min(next, p.notBefore);
      } else if (p.dirtySince < oldest) {
        oldest = p.dirtySince;
        uid = u;
      }
    }
    if (uid.empty()) {
      if (next == Steady::time_point::max()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, next);
      }
      continue;
    }
    Pending& p = pods_[uid];
    p.dirty = false;
    if (p.everSent && p.lastSent == p.pod.status) {
      continue;  // the server has it already
    }
    inFlight_.insert(uid);
    api::Pod pod = p.pod;
    lock.unlock();
    Status sent = sender_(pod);
    lock.lock();
    inFlight_.erase(uid);
    auto it = pods_.find(uid);
    if (it == pods_.end()) {
      continue;  // forgotten meanwhile
    }
    Pending& q = it->second;
    if (sent) {
      sent_++;
      q.lastSent = pod.status;
      q.everSent = true;
      q.delay = std::chrono::milliseconds(0);
      continue;
    }
    auto code = sent.error().code();
    if (code == ErrorCode::kNotFound || code == ErrorCode::kConflict) {
      // The pod is gone, or the name now belongs to another pod: nothing to report to.
      spdlog::info("pod '{}/{}' status not reported: {}", pod.metadata.namespace_,
                   pod.metadata.name, sent.error().message());
      if (!q.dirty) {
        pods_.erase(it);
      }
      continue;
    }
    q.delay =
        q.delay.count() == 0 ? options_.retryInitial : std::min(q.delay * 2, options_.retryMax);
    q.notBefore = Steady::now() + q.delay;
    if (!q.dirty) {
      q.dirty = true;  // the latest status (this one, or a newer one) goes next time
      q.dirtySince = Steady::now();
    }
    spdlog::warn("pod '{}/{}': report status: {} (retry in {} ms)", pod.metadata.namespace_,
                 pod.metadata.name, sent.error().message(), q.delay.count());
  }
}

}  // namespace berth::agent
