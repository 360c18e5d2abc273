#pragma once

// The in-tree plugins, named and behaving as kube-scheduler's of the same name. Reasons are
// upstream's wording, since users grep for them.

#include <memory>
#include <string>

#include "scheduler/cluster_writer.h"
#include "scheduler/framework.h"

namespace berth::scheduler {

// Higher spec.priority first, then older creationTimestamp, then first queued.
class PrioritySort final : public QueueSortPlugin {
 public:
  std::string_view name() const override { return "PrioritySort"; }
  bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const override;
};

// A pod with spec.nodeName set fits only that node:
// "node(s) didn't match the requested node name" (unresolvable).
class NodeName final : public FilterPlugin {
 public:
  std::string_view name() const override { return "NodeName"; }
  std::vector<ClusterEvent> eventsToRegister() const override;
  PluginStatus filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
};

// A node with spec.unschedulable (cordoned) takes only pods tolerating the taint
// node.kubernetes.io/unschedulable:NoSchedule: "node(s) were unschedulable" (unresolvable).
class NodeUnschedulable final : public FilterPlugin {
 public:
  std::string_view name() const override { return "NodeUnschedulable"; }
  std::vector<ClusterEvent> eventsToRegister() const override;
  PluginStatus filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
};

// Filter: the first NoSchedule/NoExecute taint no toleration tolerates rejects the node:
// "node(s) had untolerated taint {key: value}" (unresolvable). Nodes that are not Ready carry
// node.kubernetes.io/not-ready (set by node lifecycle), so readiness is honoured here.
// Score: fewer untolerated PreferNoSchedule taints is better (normalized, reversed).
class TaintToleration final : public FilterPlugin, public ScorePlugin {
 public:
  std::string_view name() const override { return "TaintToleration"; }
  std::vector<ClusterEvent> eventsToRegister() const override;
  PluginStatus filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  int64_t score(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  void normalizeScore(CycleState& state, const PodInfo& pod,
                      std::vector<NodeScore>& scores) override;
};

// Filter: spec.nodeSelector and required node affinity terms must match:
// "node(s) didn't match Pod's node affinity/selector" (unresolvable).
// Score: the sum of the weights of the preferred terms that match (normalized).
class NodeAffinity final : public FilterPlugin, public ScorePlugin {
 public:
  std::string_view name() const override { return "NodeAffinity"; }
  std::vector<ClusterEvent> eventsToRegister() const override;
  PluginStatus filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  int64_t score(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  void normalizeScore(CycleState& state, const PodInfo& pod,
                      std::vector<NodeScore>& scores) override;
};

// Filter: the pod's requests must fit the node's allocatable minus what its pods (assigned and
// assumed) request, for cpu, memory, ephemeral-storage and every scalar resource the pod asks
// for; and the node must allow one more pod. Reasons "Too many pods", "Insufficient cpu",
// "Insufficient <resource>"; unresolvable when the request exceeds the whole allocatable.
// Score (LeastAllocated, cpu and memory weight 1): the emptier node after placing the pod
// scores higher, on non-zero requests (100m cpu / 200Mi memory for containers without).
class NodeResourcesFit final : public FilterPlugin, public ScorePlugin {
 public:
  std::string_view name() const override { return "NodeResourcesFit"; }
  std::vector<ClusterEvent> eventsToRegister() const override;
  PluginStatus filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  int64_t score(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
};

// PostFilter: Berth does not evict pods yet, so this only words the "preemption: ..." part of
// the failure message as kube-scheduler would when no victims help: nodes rejected as
// unresolvable are "Preemption is not helpful for scheduling"; the others are "No preemption
// victims found for incoming pod" when no lower-priority pod runs there, or the reasons they
// still fail for once those pods are gone. A pod with preemptionPolicy Never: "not eligible
// due to preemptionPolicy=Never.".
class DefaultPreemption final : public PostFilterPlugin {
 public:
  std::string_view name() const override { return "DefaultPreemption"; }
  PluginStatus postFilter(CycleState& state, const PodInfo& pod,
                          const std::vector<NodeInfoPtr>& nodes, const NodeToStatus& statuses,
                          const Framework& framework) override;
};

// Binds through the ClusterWriter (which must outlive the plugin).
class DefaultBinder final : public BindPlugin {
 public:
  explicit DefaultBinder(ClusterWriter& writer) : writer_(writer) {}
  std::string_view name() const override { return "DefaultBinder"; }
  berth::Status bind(const PodInfo& pod, const std::string& nodeName) override;

 private:
  ClusterWriter& writer_;
};

// kube-scheduler's default profile restricted to the plugins above: filters NodeUnschedulable,
// NodeName, TaintToleration, NodeAffinity, NodeResourcesFit (in that order, as upstream);
// scores TaintToleration x3, NodeAffinity x2, NodeResourcesFit x1; DefaultPreemption;
// DefaultBinder on `writer`.
Profile defaultProfile(ClusterWriter& writer);

}  // namespace berth::scheduler
