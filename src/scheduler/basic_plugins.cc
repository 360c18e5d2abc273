// PrioritySort, NodeName, NodeUnschedulable, DefaultBinder and the default profile.

#include "scheduler/plugins.h"

namespace berth::scheduler {

bool PrioritySort::less(const QueuedPodInfo& a, const QueuedPodInfo& b) const {
  if (a.pod->priority != b.pod->priority) {
    return a.pod->priority > b.pod->priority;
  }
  if (a.pod->creationTimestamp != b.pod->creationTimestamp) {
    return a.pod->creationTimestamp < b.pod->creationTimestamp;
  }
  return a.sequence < b.sequence;
}

std::vector<ClusterEvent> NodeName::eventsToRegister() const {
  return {{EventResource::kNode, kAdd | kUpdateAll}};
}

PluginStatus NodeName::filter(CycleState&, const PodInfo& pod, const NodeInfo& node) {
  if (pod.nodeName.empty() || pod.nodeName == node.name()) {
    return {};
  }
  return PluginStatus::unresolvable("node(s) didn't match the requested node name");
}

std::vector<ClusterEvent> NodeUnschedulable::eventsToRegister() const {
  return {{EventResource::kNode, kAdd | kUpdateNodeTaint}};
}

PluginStatus NodeUnschedulable::filter(CycleState&, const PodInfo& pod, const NodeInfo& node) {
  if (!node.node()) {
    return PluginStatus::error("node not found");
  }
  static const Taint kUnschedulableTaint{"node.kubernetes.io/unschedulable", "", kEffectNoSchedule};
  if (node.node()->unschedulable &&
      !tolerationsTolerateTaint(pod.tolerations, kUnschedulableTaint)) {
    return PluginStatus::unresolvable("node(s) were unschedulable");
  }
  return {};
}

berth::Status DefaultBinder::bind(const PodInfo& pod, const std::string& nodeName) {
  return writer_.bind({pod.namespace_, pod.name, pod.uid}, nodeName);
}

Profile defaultProfile(ClusterWriter& writer) {
  Profile p;
  p.queueSort = std::make_shared<PrioritySort>();
  auto taints = std::make_shared<TaintToleration>();
  auto affinity = std::make_shared<NodeAffinity>();
  auto fit = std::make_shared<NodeResourcesFit>();
  p.filter = {std::make_shared<NodeUnschedulable>(), std::make_shared<NodeName>(), taints, affinity,
              fit};
  p.postFilter = {std::make_shared<DefaultPreemption>()};
  p.score = {{taints, 3}, {affinity, 2}, {fit, 1}};
  p.bind = {std::make_shared<DefaultBinder>(writer)};
  return p;
}

}  // namespace berth::scheduler
