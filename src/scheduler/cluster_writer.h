#pragma once

// What the scheduler writes to the cluster, behind an interface so that the scheduling logic
// is tested with a fake and runs against the API server with ApiClusterWriter
// (api_cluster_writer.h). Implementations must be thread-safe: the binding thread and the
// scheduling thread may call them concurrently.

#include <string>

#include "base/error.h"

namespace berth::scheduler {

struct PodRef {
  std::string namespace_;
  std::string name;
  std::string uid;
};

class ClusterWriter {
 public:
  virtual ~ClusterWriter() = default;

  // Binds the pod to the node (POST pods/<name>/binding). Errors as the API server reports
  // them (kNotFound: the pod is gone; kConflict: already bound).
  virtual Status bind(const PodRef& pod, const std::string& nodeName) = 0;

  // Sets the pod's PodScheduled condition to False with `reason` ("Unschedulable",
  // "SchedulerError") and `message`, keeping the other conditions; a no-op when the condition
  // already says so. A pod that no longer exists is not an error.
  virtual Status setUnschedulable(const PodRef& pod, const std::string& reason,
                                  const std::string& message) = 0;

  // Posts an event about the pod from the scheduler: type "Normal" or "Warning", reason
  // ("Scheduled", "FailedScheduling"), message.
  virtual Status recordEvent(const PodRef& pod, const std::string& type, const std::string& reason,
                             const std::string& message) = 0;
};

}  // namespace berth::scheduler
