#include "agent/node_lease.h"

#include <spdlog/spdlog.h>

#include <ctime>

namespace berth::agent {

using nlohmann::json;

std::string microTime(Clock::WallTime t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06}Z", buf, micros % 1'000'000);
}

json buildLease(const NodeLeaseOptions& options, const std::string& now) {
  return {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata", {{"name", options.nodeName}, {"namespace", kNodeLeaseNamespace}}},
      {"spec",
       {{"holderIdentity", options.nodeName},
        {"leaseDurationSeconds", options.durationSeconds},
        {"renewTime", now}}},
  };
}

NodeLease::NodeLease(client::ApiClient& client, NodeLeaseOptions options, const Clock& clock)
    : client_(client), options_(std::move(options)), clock_(clock) {}

NodeLease::~NodeLease() {
  stop();
}

void NodeLease::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) {
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void NodeLease::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

Status NodeLease::renew() {
  auto resource = client::Resource::leases(kNodeLeaseNamespace);
  std::string now = microTime(clock_.now());
  if (lease_.is_null()) {
    auto got = client_.get(resource, options_.nodeName);
    if (!got && got.error().code() != ErrorCode::kNotFound) {
      return fail(std::move(got.error()).wrap("get node lease"));
    }
    if (!got) {
      auto created = client_.create(resource, buildLease(options_, now));
      if (!created) {
        return fail(std::move(created.error()).wrap("create node lease"));
      }
      lease_ = std::move(*created);
      return ok();
    }
    lease_ = std::move(*got);
  }
  json next = lease_;
  json built = buildLease(options_, now);
  for (const auto& [k, v] : built["spec"].items()) {
    next["spec"][k] = v;
  }
  auto updated = client_.update(resource, next);
  if (!updated) {
    lease_ = nullptr;  // re-read before the next attempt (a conflict, or it was deleted)
    return fail(std::move(updated.error()).wrap("renew node lease"));
  }
  lease_ = std::move(*updated);
  return ok();
}

void NodeLease::run() {
  std::chrono::milliseconds retry{200};
  while (true) {
    std::chrono::milliseconds wait = options_.renewPeriod;
    if (auto s = renew(); !s) {
      spdlog::warn("node '{}': {}", options_.nodeName, s.error().message());
      // The kubelet's lease controller: retry from 200 ms, doubling up to 7 s.
      wait = std::min(retry, options_.renewPeriod);
      retry = std::min(retry * 2, std::chrono::milliseconds(7000));
    } else {
      retry = std::chrono::milliseconds(200);
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, wait, [this] { return stopping_; })) {
      return;
    }
  }
}

}  // namespace berth::agent
