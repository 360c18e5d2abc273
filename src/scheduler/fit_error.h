#pragma once

// The message of a pod that fits nowhere, worded exactly as kube-scheduler's FitError.Error():
//
//   0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint
//   {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No
//   preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.
//
// Every reason of every failing node is counted; the "<count> <reason>" strings are sorted as
// strings (so "10 x" sorts before "2 y", as upstream) and joined with ", ". Pure functions.

#include <cstddef>
#include <set>
#include <string>

#include "scheduler/framework.h"

namespace berth::scheduler {

inline constexpr char kNoNodesAvailableMessage[] = "no nodes available to schedule pods";

struct Diagnosis {
  NodeToStatus nodeToStatus;  // every node that failed, with its first failing status
  // Reasons counted for nodes missing from nodeToStatus (preemption's "not helpful").
  std::vector<std::string> absentNodesReasons;
  std::set<std::string> unschedulablePlugins;
  std::string preFilterMessage;   // set when PreFilter rejected the pod
  std::string postFilterMessage;  // from PostFilter (preemption)
};

struct FitError {
  size_t numAllNodes = 0;
  Diagnosis diagnosis;

  std::string message() const;
};

}  // namespace berth::scheduler
