#include "scheduler/framework.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace berth::scheduler {

std::string PluginStatus::message() const {
  return fmt::format("{}", fmt::join(reasons_, ", "));
}

std::string ClusterEvent::label() const {
  std::string what = resource == EventResource::kNode ? "Node" : "AssignedPod";
  if (actions & kAdd) {
    return what + "Add";
  }
  if (actions & kDelete) {
    return what + "Delete";
  }
  return what + "Update";
}

void defaultNormalizeScore(int64_t maxPriority, bool reverse, std::vector<NodeScore>& scores) {
  int64_t maxCount = 0;
  for (const auto& s : scores) {
    maxCount = std::max(maxCount, s.score);
  }
  if (maxCount == 0) {
    if (reverse) {
      for (auto& s : scores) {
        s.score = maxPriority;
      }
    }
    return;
  }
  for (auto& s : scores) {
    int64_t score = maxPriority * s.score / maxCount;
    s.score = reverse ? maxPriority - score : score;
  }
}

Framework::Framework(Profile profile) : profile_(std::move(profile)) {
  auto record = [this](const Plugin* p) {
    if (p != nullptr) {
      events_[std::string(p->name())] = p->eventsToRegister();
    }
  };
  record(profile_.queueSort.get());
  for (const auto& p : profile_.preFilter) {
    record(p.get());
  }
  for (const auto& p : profile_.filter) {
    record(p.get());
  }
  for (const auto& p : profile_.postFilter) {
    record(p.get());
  }
  for (const auto& p : profile_.score) {
    record(p.plugin.get());
  }
}

bool Framework::less(const QueuedPodInfo& a, const QueuedPodInfo& b) const {
  if (profile_.queueSort) {
    return profile_.queueSort->less(a, b);
  }
  return a.sequence < b.sequence;
}

PluginStatus Framework::runPreFilter(CycleState& state, const PodInfo& pod,
                                     const std::vector<NodeInfoPtr>& nodes) const {
  for (const auto& p : profile_.preFilter) {
    PluginStatus s = p->preFilter(state, pod, nodes);
    if (!s.ok()) {
      return s.withPlugin(std::string(p->name()));
    }
  }
  return {};
}

PluginStatus Framework::runFilters(CycleState& state, const PodInfo& pod,
                                   const NodeInfo& node) const {
  for (const auto& p : profile_.filter) {
    PluginStatus s = p->filter(state, pod, node);
    if (!s.ok()) {
      return s.withPlugin(std::string(p->name()));
    }
  }
  return {};
}

PluginStatus Framework::runPostFilter(CycleState& state, const PodInfo& pod,
                                      const std::vector<NodeInfoPtr>& nodes,
                                      const NodeToStatus& statuses) const {
  std::vector<std::string> reasons;
  std::string rejector;
  for (const auto& p : profile_.postFilter) {
    PluginStatus s = p->postFilter(state, pod, nodes, statuses, *this);
    if (s.ok() || s.code() == Code::kUnschedulableAndUnresolvable || s.code() == Code::kError) {
      return s.withPlugin(std::string(p->name()));
    }
    reasons.insert(reasons.end(), s.reasons().begin(), s.reasons().end());
    if (rejector.empty()) {
      rejector = p->name();
    }
  }
  return PluginStatus(Code::kUnschedulable, std::move(reasons)).withPlugin(rejector);
}

std::vector<int64_t> Framework::runScores(CycleState& state, const PodInfo& pod,
                                          const std::vector<NodeInfoPtr>& nodes) const {
  std::vector<int64_t> total(nodes.size(), 0);
  for (const auto& [plugin, weight] : profile_.score) {
    if (!plugin->preScore(state, pod, nodes).ok()) {
      continue;  // a plugin that cannot score this pod does not count
    }
    std::vector<NodeScore> scores;
    scores.reserve(nodes.size());
    for (const auto& n : nodes) {
      scores.push_back({n->name(), plugin->score(state, pod, *n)});
    }
    plugin->normalizeScore(state, pod, scores);
    for (size_t i = 0; i < nodes.size(); ++i) {
      total[i] += scores[i].score * weight;
    }
  }
  return total;
}

berth::Status Framework::runBind(const PodInfo& pod, const std::string& nodeName) const {
  if (profile_.bind.empty()) {
    return fail(ErrorCode::kInternal, "no bind plugin in profile '{}'", profile_.schedulerName);
  }
  return profile_.bind.front()->bind(pod, nodeName);
}

bool Framework::eventMayHelp(const ClusterEvent& event,
                             const std::set<std::string>& plugins) const {
  if (plugins.empty()) {
    return true;
  }
  for (const auto& name : plugins) {
    auto it = events_.find(name);
    if (it == events_.end()) {
      return true;  // unknown plugin: be conservative
    }
    for (const auto& registered : it->second) {
      if (registered.resource == event.resource && (registered.actions & event.actions) != 0) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace berth::scheduler
