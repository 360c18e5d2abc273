#pragma once

// The scheduling framework, modelled on kube-scheduler's: plugins at extension points,
// grouped in a Profile, run by a Framework for one pod at a time.
//
//   QueueSort   orders the active queue (one plugin)
//   PreFilter   once per pod before filtering; may reject the pod outright
//   Filter      per node: may the pod run there? A rejection carries reasons
//               ("Insufficient cpu") that end up in the FailedScheduling message
//   PostFilter  after no node passed (preemption's place); contributes a message
//   Score       per feasible node, 0..100, optionally normalized over all nodes, weighted
//   Bind        writes the decision (POST pods/<name>/binding)
//
// A plugin is one object that may implement several extension points (inherit from several
// interfaces). New constraints (inter-pod affinity, topology spread) are new plugins added to
// the Profile; the scheduling loop does not change.
//
// Thread safety: plugins are called from the scheduling thread, except Bind, which may run on
// the binding thread; plugins must not keep per-pod state outside CycleState.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "scheduler/node_info.h"
#include "scheduler/objects.h"

namespace berth::scheduler {

inline constexpr int64_t kMaxNodeScore = 100;

enum class Code {
  kSuccess,
  kUnschedulable,                 // might fit after a change, e.g. by preempting pods
  kUnschedulableAndUnresolvable,  // preemption cannot help (taints, selectors)
  kError,                         // an internal failure
};

// The result of a plugin call: a code and the reasons shown to users.
class PluginStatus {
 public:
  PluginStatus() = default;  // success
  PluginStatus(Code code, std::vector<std::string> reasons)
      : code_(code), reasons_(std::move(reasons)) {}
  static PluginStatus unschedulable(std::string reason) {
    return PluginStatus(Code::kUnschedulable, {std::move(reason)});
  }
  static PluginStatus unresolvable(std::string reason) {
    return PluginStatus(Code::kUnschedulableAndUnresolvable, {std::move(reason)});
  }
  static PluginStatus error(std::string message) {
    return PluginStatus(Code::kError, {std::move(message)});
  }

  bool ok() const { return code_ == Code::kSuccess; }
  // Unschedulable or UnschedulableAndUnresolvable.
  bool rejected() const {
    return code_ == Code::kUnschedulable || code_ == Code::kUnschedulableAndUnresolvable;
  }
  Code code() const { return code_; }
  const std::vector<std::string>& reasons() const { return reasons_; }
  // The reasons joined with ", ".
  std::string message() const;
  // The plugin that returned this status (set by the Framework).
  const std::string& plugin() const { return plugin_; }
  PluginStatus& withPlugin(std::string plugin) {
    plugin_ = std::move(plugin);
    return *this;
  }

 private:
  Code code_ = Code::kSuccess;
  std::vector<std::string> reasons_;
  std::string plugin_;
};

// Failing nodes by name.
using NodeToStatus = std::map<std::string, PluginStatus>;

// Per-cycle scratch space: a plugin's PreFilter/PreScore writes what its Filter/Score reads.
class CycleState {
 public:
  struct Data {
    virtual ~Data() = default;
  };
  void write(const std::string& key, std::shared_ptr<Data> data) { data_[key] = std::move(data); }
  template <typename T>
  T* read(const std::string& key) const {
    auto it = data_.find(key);
    return it == data_.end() ? nullptr : dynamic_cast<T*>(it->second.get());
  }

 private:
  std::map<std::string, std::shared_ptr<Data>> data_;
};

// A pod waiting in the scheduling queue.
struct QueuedPodInfo {
  PodInfoPtr pod;
  Clock::MonoTime timestamp{};                // added to the queue / last failure
  Clock::MonoTime initialAttemptTimestamp{};  // first pop
  int attempts = 0;                           // times popped
  uint64_t sequence = 0;                      // FIFO order among equals
  // Plugins that rejected the pod in its last attempt (empty: any event may help).
  std::set<std::string> unschedulablePlugins;
};

// What happened in the cluster that may make unschedulable pods schedulable.
enum class EventResource { kNode, kAssignedPod };
enum ActionType : uint32_t {
  kAdd = 1u << 0,
  kDelete = 1u << 1,
  kUpdateNodeAllocatable = 1u << 2,
  kUpdateNodeLabel = 1u << 3,
  kUpdateNodeTaint = 1u << 4,  // taints or spec.unschedulable
  kUpdateNodeCondition = 1u << 5,
  kUpdatePodScaleDown = 1u << 6,  // an assigned pod now requests less (or finished)
  kUpdateAll = kUpdateNodeAllocatable | kUpdateNodeLabel | kUpdateNodeTaint | kUpdateNodeCondition |
               kUpdatePodScaleDown,
  kAll = kAdd | kDelete | kUpdateAll,
};

struct ClusterEvent {
  EventResource resource;
  uint32_t actions;  // ActionType bits
  // "NodeAdd", "AssignedPodDelete", ... for logs.
  std::string label() const;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string_view name() const = 0;
  // The events after which a pod this plugin rejected may pass: such a pod leaves the
  // unschedulable set only on a matching event (or the periodic flush).
  virtual std::vector<ClusterEvent> eventsToRegister() const { return {}; }
};

class QueueSortPlugin : public virtual Plugin {
 public:
  // Whether `a` is scheduled before `b`.
  virtual bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const = 0;
};

class PreFilterPlugin : public virtual Plugin {
 public:
  // A rejection here rejects the pod on every node with this status.
  virtual PluginStatus preFilter(CycleState& state, const PodInfo& pod,
                                 const std::vector<NodeInfoPtr>& nodes) = 0;
};

class FilterPlugin : public virtual Plugin {
 public:
  virtual PluginStatus filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) = 0;
};

class Framework;

class PostFilterPlugin : public virtual Plugin {
 public:
  // Called when no node passed; `statuses` holds every node's failure. Returns success if it
  // made the pod schedulable later (nominated a node), else a rejection whose message is
  // appended to the failure message.
  virtual PluginStatus postFilter(CycleState& state, const PodInfo& pod,
                                  const std::vector<NodeInfoPtr>& nodes,
                                  const NodeToStatus& statuses, const Framework& framework) = 0;
};

struct NodeScore {
  std::string name;
  int64_t score = 0;
};

class ScorePlugin : public virtual Plugin {
 public:
  // Once per pod with the feasible nodes, before score().
  virtual PluginStatus preScore(CycleState&, const PodInfo&, const std::vector<NodeInfoPtr>&) {
    return {};
  }
  // 0..kMaxNodeScore (or any range normalizeScore() maps into it).
  virtual int64_t score(CycleState& state, const PodInfo& pod, const NodeInfo& node) = 0;
  virtual void normalizeScore(CycleState&, const PodInfo&, std::vector<NodeScore>&) {}
};

class BindPlugin : public virtual Plugin {
 public:
  virtual berth::Status bind(const PodInfo& pod, const std::string& nodeName) = 0;
};

// kube-scheduler's helper.DefaultNormalizeScore: scales scores so the highest becomes
// maxPriority (all 0 stay 0), reversed (max - score) when `reverse`.
void defaultNormalizeScore(int64_t maxPriority, bool reverse, std::vector<NodeScore>& scores);

struct WeightedScorePlugin {
  std::shared_ptr<ScorePlugin> plugin;
  int64_t weight = 1;
};

// The plugins of one scheduler name, by extension point, in the order they run.
struct Profile {
  std::string schedulerName = "default-scheduler";
  std::shared_ptr<QueueSortPlugin> queueSort;
  std::vector<std::shared_ptr<PreFilterPlugin>> preFilter;
  std::vector<std::shared_ptr<FilterPlugin>> filter;
  std::vector<std::shared_ptr<PostFilterPlugin>> postFilter;
  std::vector<WeightedScorePlugin> score;
  std::vector<std::shared_ptr<BindPlugin>> bind;
};

// Runs a Profile's plugins. Immutable after construction.
class Framework {
 public:
  explicit Framework(Profile profile);

  const Profile& profile() const { return profile_; }

  bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const;

  // The first rejecting PreFilter status (with its plugin), or success.
  PluginStatus runPreFilter(CycleState& state, const PodInfo& pod,
                            const std::vector<NodeInfoPtr>& nodes) const;
  // The first failing Filter status (with its plugin), or success.
  PluginStatus runFilters(CycleState& state, const PodInfo& pod, const NodeInfo& node) const;
  // Success if a PostFilter plugin succeeded; otherwise a rejection whose message joins the
  // plugins' messages ("preemption: 0/3 nodes are available: ...").
  PluginStatus runPostFilter(CycleState& state, const PodInfo& pod,
                             const std::vector<NodeInfoPtr>& nodes,
                             const NodeToStatus& statuses) const;
  // The weighted sum of the normalized scores of each node, in the order of `nodes`.
  std::vector<int64_t> runScores(CycleState& state, const PodInfo& pod,
                                 const std::vector<NodeInfoPtr>& nodes) const;
  // The first Bind plugin's result.
  berth::Status runBind(const PodInfo& pod, const std::string& nodeName) const;

  // Whether a pod that `plugins` rejected may pass after `event`: true when `plugins` is empty
  // or one of them registered an event with the same resource and an overlapping action.
  bool eventMayHelp(const ClusterEvent& event, const std::set<std::string>& plugins) const;

 private:
  Profile profile_;
  std::map<std::string, std::vector<ClusterEvent>, std::less<>> events_;
};

}  // namespace berth::scheduler
