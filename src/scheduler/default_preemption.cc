#include "scheduler/fit_error.h"
#include "scheduler/plugins.h"

namespace berth::scheduler {

namespace {

constexpr char kNotHelpful[] = "Preemption is not helpful for scheduling";
constexpr char kNoVictims[] = "No preemption victims found for incoming pod";

}  // namespace

PluginStatus DefaultPreemption::postFilter(CycleState& state, const PodInfo& pod,
                                           const std::vector<NodeInfoPtr>& nodes,
                                           const NodeToStatus& statuses,
                                           const Framework& framework) {
  if (pod.preemptionPolicy == "Never") {
    return PluginStatus::unschedulable("preemption: not eligible due to preemptionPolicy=Never.");
  }
  FitError fit;
  fit.numAllNodes = nodes.size();
  fit.diagnosis.absentNodesReasons = {kNotHelpful};
  for (const auto& node : nodes) {
    auto it = statuses.find(node->name());
    if (it == statuses.end() || it->second.code() != Code::kUnschedulable) {
      continue;  // unresolvable there: counted as "not helpful"
    }
    // Dry run: without every lower-priority pod, would the pod fit?
    NodeInfo without(node->node());
    bool victims = false;
    for (const auto& p : node->pods()) {
      if (p->priority < pod.priority) {
        victims = true;
      } else {
        without.addPod(p);
      }
    }
    if (!victims) {
      fit.diagnosis.nodeToStatus[node->name()] =
          PluginStatus(Code::kUnschedulableAndUnresolvable, {kNoVictims});
      continue;
    }
    CycleState scratch;
    PluginStatus s = framework.runFilters(scratch, pod, without);
    // Evicting victims is not implemented: a node that would fit reports no victims either.
    fit.diagnosis.nodeToStatus[node->name()] =
        s.ok() ? PluginStatus(Code::kUnschedulableAndUnresolvable, {kNoVictims}) : s;
  }
  (void)state;
  return PluginStatus::unschedulable("preemption: " + fit.message());
}

}  // namespace berth::scheduler
