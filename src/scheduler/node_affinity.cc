#include "api/labels.h"
#include "scheduler/plugins.h"

namespace berth::scheduler {

std::vector<ClusterEvent> NodeAffinity::eventsToRegister() const {
  return {{EventResource::kNode, kAdd | kUpdateNodeLabel}};
}

PluginStatus NodeAffinity::filter(CycleState&, const PodInfo& pod, const NodeInfo& node) {
  if (!node.node()) {
    return PluginStatus::error("node not found");
  }
  const auto& labels = node.node()->labels;
  bool match = api::labelsMatch(pod.nodeSelector, labels);
  if (match && pod.requiredNodeAffinity) {
    match = anyTermMatches(*pod.requiredNodeAffinity, labels, node.name());
  }
  if (!match) {
    return PluginStatus::unresolvable("node(s) didn't match Pod's node affinity/selector");
  }
  return {};
}

int64_t NodeAffinity::score(CycleState&, const PodInfo& pod, const NodeInfo& node) {
  if (!node.node()) {
    return 0;
  }
  int64_t total = 0;
  for (const auto& term : pod.preferredNodeAffinity) {
    if (term.weight != 0 && term.preference.matches(node.node()->labels, node.name())) {
      total += term.weight;
    }
  }
  return total;
}

void NodeAffinity::normalizeScore(CycleState&, const PodInfo&, std::vector<NodeScore>& scores) {
  defaultNormalizeScore(kMaxNodeScore, false, scores);
}

}  // namespace berth::scheduler
