#pragma once

// ClusterWriter over the Kubernetes API (client::ApiClient):
//   bind             POST /api/v1/namespaces/<ns>/pods/<name>/binding
//   setUnschedulable GET the pod, set its PodScheduled condition, PUT .../status with the
//                    resourceVersion read (read-modify-write keeps the other conditions;
//                    retried on 409 Conflict)
//   recordEvent      POST /api/v1/namespaces/<ns>/events (core/v1 Event, source.component
//                    and reportingComponent "default-scheduler")
// Thread-safe (ApiClient is).

#include <string>

#include "base/clock.h"
#include "client/api_client.h"
#include "scheduler/cluster_writer.h"

namespace berth::scheduler {

class ApiClusterWriter final : public ClusterWriter {
 public:
  // `client` and `clock` must outlive the writer. `instance` is the events' reportingInstance.
  ApiClusterWriter(client::ApiClient& client, Clock& clock, std::string instance);

  Status bind(const PodRef& pod, const std::string& nodeName) override;
  Status setUnschedulable(const PodRef& pod, const std::string& reason,
                          const std::string& message) override;
  Status recordEvent(const PodRef& pod, const std::string& type, const std::string& reason,
                     const std::string& message) override;

 private:
  client::ApiClient& client_;
  Clock& clock_;
  std::string instance_;
};

// The objects the writer sends, exposed for tests.
nlohmann::json bindingObject(const PodRef& pod, const std::string& nodeName);
// `pod` with its PodScheduled condition set to False/reason/message; false when the pod
// already carried exactly that condition (then `pod` is unchanged). lastTransitionTime is
// `now` unless the condition was already False.
bool setPodScheduledFalse(nlohmann::json& pod, const std::string& reason,
                          const std::string& message, Clock::WallTime now);
nlohmann::json schedulerEvent(const PodRef& pod, const std::string& type, const std::string& reason,
                              const std::string& message, const std::string& instance,
                              Clock::WallTime now);

}  // namespace berth::scheduler
