#pragma once

// One scheduling decision (kube-scheduler's schedulePod): PreFilter, Filter over every node,
// PostFilter when none passed, Score over the feasible ones, and the pick of the highest total
// (ties broken at random, as upstream's selectHost). Pure apart from `rng`.

#include <random>
#include <set>
#include <string>
#include <vector>

#include "scheduler/fit_error.h"
#include "scheduler/framework.h"

namespace berth::scheduler {

struct ScheduleResult {
  std::string nodeName;  // the chosen node; empty on failure
  // On failure: the FitError message, kNoNodesAvailableMessage, or an internal error's text.
  std::string message;
  bool error = false;  // an internal error (condition reason SchedulerError), not a misfit
  std::set<std::string> unschedulablePlugins;  // plugins that rejected the pod
  size_t feasibleNodes = 0;

  bool ok() const { return !nodeName.empty(); }
};

ScheduleResult schedulePod(const Framework& framework, const PodInfo& pod,
                           const std::vector<NodeInfoPtr>& nodes, std::mt19937_64& rng);

}  // namespace berth::scheduler
