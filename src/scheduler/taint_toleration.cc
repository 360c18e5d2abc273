#include <fmt/format.h>

#include "scheduler/plugins.h"

namespace berth::scheduler {

std::vector<ClusterEvent> TaintToleration::eventsToRegister() const {
  return {{EventResource::kNode, kAdd | kUpdateNodeTaint}};
}

PluginStatus TaintToleration::filter(CycleState&, const PodInfo& pod, const NodeInfo& node) {
  if (!node.node()) {
    return PluginStatus::error("node not found");
  }
  auto taint = findUntoleratedTaint(node.node()->taints, pod.tolerations, [](const Taint& t) {
    return t.effect == kEffectNoSchedule || t.effect == kEffectNoExecute;
  });
  if (!taint) {
    return {};
  }
  return PluginStatus::unresolvable(
      fmt::format("node(s) had untolerated taint {{{}: {}}}", taint->key, taint->value));
}

int64_t TaintToleration::score(CycleState&, const PodInfo& pod, const NodeInfo& node) {
  if (!node.node()) {
    return 0;
  }
  int64_t intolerable = 0;
  for (const auto& taint : node.node()->taints) {
    if (taint.effect == kEffectPreferNoSchedule &&
        !tolerationsTolerateTaint(pod.tolerations, taint)) {
      ++intolerable;
    }
  }
  return intolerable;
}

void TaintToleration::normalizeScore(CycleState&, const PodInfo&, std::vector<NodeScore>& scores) {
  defaultNormalizeScore(kMaxNodeScore, true, scores);
}

}  // namespace berth::scheduler
