#pragma once

// The scheduler's view of the cluster: nodes and the pods assigned to them, plus "assumed"
// pods, which the scheduler has placed and is binding but the watch has not confirmed yet, so
// that the next pods already see their requests. An assumed pod becomes a normal one when the
// informer reports it bound (addPod), is dropped by forgetPod() when the bind fails, and as a
// safety net expires `assumedPodTtl` after finishBinding() if no confirmation ever arrives
// (0 = never).
//
// Pods may name a node the cache has not seen; they are kept under a placeholder NodeInfo that
// snapshots leave out until the Node arrives.
//
// Thread-safe: informer handlers and the scheduling thread call it concurrently.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "scheduler/node_info.h"

namespace berth::scheduler {

// Immutable NodeInfos for one scheduling cycle, sorted by node name. Only nodes whose Node
// object is known are listed.
class Snapshot {
 public:
  const std::vector<NodeInfoPtr>& nodes() const { return list_; }
  NodeInfoPtr get(const std::string& name) const;

 private:
  friend class SchedulerCache;
  std::map<std::string, NodeInfoPtr> byName_;
  std::vector<NodeInfoPtr> list_;
  int64_t generation_ = -1;
};

class SchedulerCache {
 public:
  SchedulerCache(Clock& clock, std::chrono::milliseconds assumedPodTtl);

  // Adds or replaces a node.
  void addNode(NodeSpecPtr node);
  // Its pods stay (under a placeholder) until they are removed.
  void removeNode(const std::string& name);

  // An assigned pod (spec.nodeName set) as the informer reports it, added or updated: it
  // replaces any previous entry for the key, assumed or not, on whatever node that was.
  void addPod(PodInfoPtr pod);
  // The pod is gone (deleted or finished). No-op for unknown keys.
  void removePod(const std::string& key);

  // Places `pod` on `nodeName` ahead of the watch. kAlreadyExists if the key is cached.
  Status assumePod(const PodInfoPtr& pod, const std::string& nodeName);
  // The bind call returned; the TTL of the assumption starts.
  void finishBinding(const std::string& key);
  // Drops an assumed pod (its bind failed). No-op if the pod is not assumed any more.
  void forgetPod(const std::string& key);
  bool isAssumed(const std::string& key) const;
  bool hasPod(const std::string& key) const;

  // Drops assumed pods whose TTL after finishBinding() has passed; returns how many.
  size_t cleanupExpiredAssumedPods();

  // Brings `snapshot` up to date, copying only the nodes changed since its last update.
  void updateSnapshot(Snapshot& snapshot);

  size_t nodeCount() const;
  size_t podCount() const;

 private:
  struct PodState {
    PodInfoPtr pod;  // with nodeName set
    bool assumed = false;
    bool bindingFinished = false;
    Clock::MonoTime deadline{};
  };

  void addPodLocked(PodInfoPtr pod, bool assumed);
  void removePodLocked(const std::string& key);
  NodeInfo& nodeLocked(const std::string& name);

  Clock& clock_;
  std::chrono::milliseconds assumedPodTtl_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<NodeInfo>> nodes_;
  std::map<std::string, PodState> pods_;
  int64_t generation_ = 0;
};

}  // namespace berth::scheduler
