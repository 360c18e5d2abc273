#pragma once

// A ClusterWriter that records calls, with scripted bind failures.

#include <mutex>
#include <string>
#include <vector>

#include "scheduler/cluster_writer.h"

namespace berth::scheduler::testing {

class FakeWriter final : public ClusterWriter {
 public:
  struct Call {
    std::string pod;  // ns/name
    std::string a;    // node | reason | type
    std::string b;    // message (event reason for events)
    std::string c;    // event message
  };

  Status bind(const PodRef& pod, const std::string& nodeName) override {
    std::lock_guard lock(mu_);
    if (failBinds > 0) {
      --failBinds;
      return fail(ErrorCode::kUnavailable, "connection refused");
    }
    binds.push_back({pod.namespace_ + "/" + pod.name, nodeName, "", ""});
    return ok();
  }
  Status setUnschedulable(const PodRef& pod, const std::string& reason,
                          const std::string& message) override {
    std::lock_guard lock(mu_);
    conditions.push_back({pod.namespace_ + "/" + pod.name, reason, message, ""});
    return ok();
  }
  Status recordEvent(const PodRef& pod, const std::string& type, const std::string& reason,
                     const std::string& message) override {
    std::lock_guard lock(mu_);
    events.push_back({pod.namespace_ + "/" + pod.name, type, reason, message});
    return ok();
  }

  std::string boundNode(const std::string& pod) const {
    std::lock_guard lock(mu_);
    for (const auto& b : binds) {
      if (b.pod == pod) {
        return b.a;
      }
    }
    return "";
  }

  int failBinds = 0;
  std::vector<Call> binds;
  std::vector<Call> conditions;
  std::vector<Call> events;

 private:
  mutable std::mutex mu_;
};

}  // namespace berth::scheduler::testing
