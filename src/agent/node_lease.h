#pragma once

// The node's heartbeat: the Lease kube-node-lease/<node> (coordination.k8s.io/v1), created if
// missing and renewed every `renewPeriod` (spec.holderIdentity = node, leaseDurationSeconds 40,
// renewTime as a MicroTime). The API server's node lifecycle marks the node NotReady when the
// lease is not renewed in time. Renewals update the last lease object it wrote (its
// resourceVersion); a conflict or an error re-reads it, retrying sooner than a full period.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/error.h"
#include "client/api_client.h"

namespace berth::agent {

inline constexpr char kNodeLeaseNamespace[] = "kube-node-lease";

struct NodeLeaseOptions {
  std::string nodeName;
  std::chrono::milliseconds renewPeriod{10'000};
  int64_t durationSeconds = 40;
};

// RFC 3339 with microseconds, as metav1.MicroTime: "2026-11-29T06:41:02.123456Z".
std::string microTime(Clock::WallTime t);

// The Lease object for `options` renewed at `now` (a MicroTime string).
nlohmann::json buildLease(const NodeLeaseOptions& options, const std::string& now);

class NodeLease {
 public:
  // `client` and `clock` must outlive this.
  NodeLease(client::ApiClient& client, NodeLeaseOptions options, const Clock& clock);
  ~NodeLease();  // stops
  NodeLease(const NodeLease&) = delete;
  NodeLease& operator=(const NodeLease&) = delete;

  void start();
  void stop();

  // One renewal (create when missing). Thread-compatible: used by the thread, or by tests
  // before start().
  Status renew();

 private:
  void run();

  client::ApiClient& client_;
  NodeLeaseOptions options_;
  const Clock& clock_;
  nlohmann::json lease_;  // the last one written; null: read it first
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::agent
