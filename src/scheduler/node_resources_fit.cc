#include <fmt/format.h>

#include "scheduler/plugins.h"

namespace berth::scheduler {

std::vector<ClusterEvent> NodeResourcesFit::eventsToRegister() const {
  return {{EventResource::kAssignedPod, kDelete | kUpdatePodScaleDown},
          {EventResource::kNode, kAdd | kUpdateNodeAllocatable}};
}

PluginStatus NodeResourcesFit::filter(CycleState&, const PodInfo& pod, const NodeInfo& node) {
  const Resources& req = pod.requests;
  const Resources& alloc = node.allocatable();
  const Resources& used = node.requested();
  std::vector<std::string> reasons;
  bool unresolvable = false;

  if (static_cast<int64_t>(node.pods().size()) + 1 > alloc.allowedPods) {
    reasons.push_back("Too many pods");
  }
  auto check = [&](int64_t want, int64_t allocatable, int64_t requested, std::string reason) {
    if (want > 0 && want > allocatable - requested) {
      reasons.push_back(std::move(reason));
      unresolvable = unresolvable || want > allocatable;
    }
  };
  check(req.milliCpu, alloc.milliCpu, used.milliCpu, "Insufficient cpu");
  check(req.memory, alloc.memory, used.memory, "Insufficient memory");
  check(req.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage,
        "Insufficient ephemeral-storage");
  for (const auto& [name, want] : req.scalar) {
    auto a = alloc.scalar.find(name);
    auto u = used.scalar.find(name);
    check(want, a == alloc.scalar.end() ? 0 : a->second, u == used.scalar.end() ? 0 : u->second,
          fmt::format("Insufficient {}", name));
  }
  if (reasons.empty()) {
    return {};
  }
  return PluginStatus(unresolvable ? Code::kUnschedulableAndUnresolvable : Code::kUnschedulable,
                      std::move(reasons));
}

namespace {

int64_t leastRequestedScore(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) {
    return 0;
  }
  return (capacity - requested) * kMaxNodeScore / capacity;
}

}  // namespace

int64_t NodeResourcesFit::score(CycleState&, const PodInfo& pod, const NodeInfo& node) {
  const Resources& alloc = node.allocatable();
  struct Dim {
    int64_t requested;
    int64_t allocatable;
    int64_t weight;
  };
  const Dim dims[] = {
      {node.nonZeroRequested().milliCpu + pod.nonZeroRequests.milliCpu, alloc.milliCpu, 1},
      {node.nonZeroRequested().memory + pod.nonZeroRequests.memory, alloc.memory, 1},
  };
  int64_t score = 0;
  int64_t weights = 0;
  for (const auto& d : dims) {
    if (d.allocatable == 0) {
      continue;
    }
    score += leastRequestedScore(d.requested, d.allocatable) * d.weight;
    weights += d.weight;
  }
  return weights == 0 ? 0 : score / weights;
}

}  // namespace berth::scheduler
