#pragma once

// A node as the scheduler sees it: the Node, the pods assigned or assumed on it, and the sums
// of their requests. The cache owns mutable NodeInfos; a scheduling cycle reads immutable
// copies from a Snapshot. Thread-compatible.

#include <memory>
#include <string>
#include <vector>

#include "scheduler/objects.h"
#include "scheduler/resources.h"

namespace berth::scheduler {

class NodeInfo {
 public:
  NodeInfo() = default;
  explicit NodeInfo(NodeSpecPtr node) : node_(std::move(node)) {}

  // Null while pods name a node the cache has not seen (yet).
  const NodeSpecPtr& node() const { return node_; }
  void setNode(NodeSpecPtr node) { node_ = std::move(node); }
  const std::string& name() const;

  const std::vector<PodInfoPtr>& pods() const { return pods_; }
  // Sum of the requests of pods() (PodInfo::requests).
  const Resources& requested() const { return requested_; }
  // Sum of the non-zero requests (cpu/memory defaults applied) used by scoring.
  const Resources& nonZeroRequested() const { return nonZeroRequested_; }
  const Resources& allocatable() const;

  void addPod(PodInfoPtr pod);
  // Removes the pod with this key; false when it is not here.
  bool removePod(const std::string& key);
  bool hasPod(const std::string& key) const;

  // Bumped by the cache at every change; snapshots copy changed nodes only.
  int64_t generation = 0;

 private:
  NodeSpecPtr node_;
  std::vector<PodInfoPtr> pods_;
  Resources requested_;
  Resources nonZeroRequested_;
};

using NodeInfoPtr = std::shared_ptr<const NodeInfo>;

}  // namespace berth::scheduler
