#include "scheduler/schedule_pod.h"

namespace berth::scheduler {

namespace {

ScheduleResult unschedulable(FitError fit) {
  ScheduleResult r;
  r.message = fit.message();
  r.unschedulablePlugins = std::move(fit.diagnosis.unschedulablePlugins);
  return r;
}

ScheduleResult internalError(const PluginStatus& s) {
  ScheduleResult r;
  r.error = true;
  r.message = s.plugin().empty() ? s.message() : "running " + s.plugin() + ": " + s.message();
  return r;
}

}  // namespace

ScheduleResult schedulePod(const Framework& framework, const PodInfo& pod,
                           const std::vector<NodeInfoPtr>& nodes, std::mt19937_64& rng) {
  if (nodes.empty()) {
    ScheduleResult r;
    r.message = kNoNodesAvailableMessage;
    return r;
  }
  CycleState state;
  FitError fit;
  fit.numAllNodes = nodes.size();

  PluginStatus pre = framework.runPreFilter(state, pod, nodes);
  if (pre.code() == Code::kError) {
    return internalError(pre);
  }
  std::vector<NodeInfoPtr> feasible;
  if (!pre.ok()) {
    fit.diagnosis.preFilterMessage = pre.message();
    fit.diagnosis.unschedulablePlugins.insert(pre.plugin());
    for (const auto& n : nodes) {
      fit.diagnosis.nodeToStatus[n->name()] = pre;
    }
  } else {
    for (const auto& n : nodes) {
      PluginStatus s = framework.runFilters(state, pod, *n);
      if (s.ok()) {
        feasible.push_back(n);
        continue;
      }
      if (s.code() == Code::kError) {
        return internalError(s);
      }
      fit.diagnosis.unschedulablePlugins.insert(s.plugin());
      fit.diagnosis.nodeToStatus[n->name()] = std::move(s);
    }
  }

  if (feasible.empty()) {
    PluginStatus post = framework.runPostFilter(state, pod, nodes, fit.diagnosis.nodeToStatus);
    fit.diagnosis.postFilterMessage = post.message();
    return unschedulable(std::move(fit));
  }

  ScheduleResult r;
  r.feasibleNodes = feasible.size();
  if (feasible.size() == 1) {
    r.nodeName = feasible.front()->name();
    return r;
  }
  std::vector<int64_t> scores = framework.runScores(state, pod, feasible);
  // Reservoir sampling over the nodes sharing the top score.
  size_t best = 0;
  size_t ties = 1;
  for (size_t i = 1; i < feasible.size(); ++i) {
    if (scores[i] > scores[best]) {
      best = i;
      ties = 1;
    } else if (scores[i] == scores[best]) {
      ++ties;
      if (std::uniform_int_distribution<size_t>(0, ties - 1)(rng) == 0) {
        best = i;
      }
    }
  }
  r.nodeName = feasible[best]->name();
  return r;
}

}  // namespace berth::scheduler
