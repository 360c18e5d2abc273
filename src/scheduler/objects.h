#pragma once

// What the scheduler reads out of Kubernetes Pod and Node objects, parsed once per object
// version (as served by the API server, nlohmann::json). Instances are immutable once built
// and shared between the queue, the cache and snapshots through shared_ptr<const ...>.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/node_selector.h"
#include "scheduler/resources.h"
#include "scheduler/taints.h"

namespace berth::scheduler {

struct PodInfo {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string key;                // "namespace/name"
  std::string creationTimestamp;  // RFC 3339 UTC as served; compares as a string
  bool deleting = false;          // metadata.deletionTimestamp set
  std::string nodeName;           // spec.nodeName
  std::string schedulerName;      // spec.schedulerName ("default-scheduler" when missing)
  int32_t priority = 0;           // spec.priority
  std::string preemptionPolicy;   // spec.preemptionPolicy ("" = PreemptLowerPriority)
  std::string phase;              // status.phase

  Resources requests;         // for fitting (podRequests(pod, false))
  Resources nonZeroRequests;  // for scoring (podRequests(pod, true))

  std::vector<Toleration> tolerations;
  std::map<std::string, std::string> nodeSelector;
  // spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
  // nullopt when the pod sets no required node affinity.
  std::optional<std::vector<NodeSelectorTerm>> requiredNodeAffinity;
  std::vector<PreferredSchedulingTerm> preferredNodeAffinity;

  // The PodScheduled condition as last seen (status, reason, message), if any.
  std::optional<std::string> scheduledConditionStatus;
  std::string scheduledConditionMessage;

  // The object as served (for plugins that need more fields than parsed above).
  std::shared_ptr<const nlohmann::json> object;

  // Succeeded or Failed: the pod no longer holds resources on its node.
  bool terminal() const { return phase == "Succeeded" || phase == "Failed"; }
};

using PodInfoPtr = std::shared_ptr<const PodInfo>;

struct NodeSpec {
  std::string name;
  std::map<std::string, std::string> labels;
  std::vector<Taint> taints;
  bool unschedulable = false;  // spec.unschedulable
  Resources allocatable;       // status.allocatable
  std::shared_ptr<const nlohmann::json> object;
};

using NodeSpecPtr = std::shared_ptr<const NodeSpec>;

PodInfoPtr parsePod(const nlohmann::json& pod);
NodeSpecPtr parseNode(const nlohmann::json& node);

// "namespace/name" of a pod object.
std::string podKey(const nlohmann::json& pod);

}  // namespace berth::scheduler
