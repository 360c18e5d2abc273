// kubectl's printPod (pkg/printers/internalversion/printers.go) on the JSON pod. The server
// always produces the wide cells; kubectl hides the priority-1 columns without -o wide.

#include <fmt/format.h>

#include <optional>

#include "apiserver/pod_strategy.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;
using types::text;

namespace {

const json& listAt(const json& object, std::initializer_list<std::string_view> path) {
  static const json kEmpty = json::array();
  const json* v = types::at(object, path);
  return v && v->is_array() ? *v : kEmpty;
}

int64_t intAt(const json& object, std::initializer_list<std::string_view> path) {
  const json* v = types::at(object, path);
  return v && v->is_number() ? v->get<int64_t>() : 0;
}

bool hasCondition(const json& pod, std::string_view type) {
  for (const auto& c : listAt(pod, {"status", "conditions"})) {
    if (text(c, {"type"}) == type && text(c, {"status"}) == "True") {
      return true;
    }
  }
  return false;
}

// The latest lastState.terminated.finishedAt seen so far.
void noteRestart(const json& status, std::optional<Clock::WallTime>& latest) {
  const json* terminated = types::at(status, {"lastState", "terminated"});
  if (!terminated || !terminated->is_object()) {
    return;
  }
  auto finished = parseRfc3339(text(*terminated, {"finishedAt"}));
  if (finished && (!latest || *latest < *finished)) {
    latest = finished;
  }
}

std::string orNone(std::string s) {
  return s.empty() ? "<none>" : s;
}

}  // namespace

std::vector<TableColumn> podColumns() {
  return {
      types::nameColumn(),
      {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.",
       0},
      {"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
      {"Restarts", "string", "",
       "The number of times the containers in this pod have been restarted and when the last "
       "container in this pod has restarted.",
       0},
      types::ageColumn(),
      {"IP", "string", "",
       "podIP address allocated to the pod. Routable at least within the "
       "cluster. Empty if not yet allocated.",
       1},
      {"Node", "string", "", "NodeName indicates in which node this pod is scheduled.", 1},
      {"Nominated Node", "string", "",
       "nominatedNodeName is set only when this pod preempts other pods on the node, but it "
       "cannot be scheduled right away as preemption victims receive their graceful "
       "termination periods.",
       1},
      {"Readiness Gates", "string", "",
       "If specified, all readiness gates will be evaluated for pod readiness.", 1},
  };
}

std::vector<json> podRow(const json& pod, Clock::WallTime now) {
  int64_t restarts = 0;
  int64_t restartableInitRestarts = 0;
  int64_t ready = 0;
  std::optional<Clock::WallTime> lastRestart;
  std::optional<Clock::WallTime> lastRestartableInitRestart;

  const std::string phase = text(pod, {"status", "phase"});
  std::string reason = phase;
  if (std::string r = text(pod, {"status", "reason"}); !r.empty()) {
    reason = r;
  }
  for (const auto& c : listAt(pod, {"status", "conditions"})) {
    if (text(c, {"type"}) == "PodScheduled" && text(c, {"reason"}) == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }

  // Init containers with restartPolicy Always are sidecars: they count as containers.
  const json& initSpecs = listAt(pod, {"spec", "initContainers"});
  size_t total = listAt(pod, {"spec", "containers"}).size();
  std::map<std::string, bool> restartable;
  for (const auto& c : initSpecs) {
    bool sidecar = text(c, {"restartPolicy"}) == "Always";
    restartable[text(c, {"name"})] = sidecar;
    if (sidecar) {
      ++total;
    }
  }

  bool initializing = false;
  const json& initStatuses = listAt(pod, {"status", "initContainerStatuses"});
  for (size_t i = 0; i < initStatuses.size(); ++i) {
    const json& cs = initStatuses[i];
    restarts += intAt(cs, {"restartCount"});
    noteRestart(cs, lastRestart);
    bool sidecar = restartable[text(cs, {"name"})];
    if (sidecar) {
      restartableInitRestarts += intAt(cs, {"restartCount"});
      noteRestart(cs, lastRestartableInitRestart);
    }
    const json* terminated = types::at(cs, {"state", "terminated"});
    const json* waiting = types::at(cs, {"state", "waiting"});
    bool isTerminated = terminated && terminated->is_object();
    if (isTerminated && intAt(*terminated, {"exitCode"}) == 0) {
      continue;
    }
    if (sidecar && types::flag(cs, {"started"})) {
      if (types::flag(cs, {"ready"})) {
        ++ready;
      }
      continue;
    }
    if (isTerminated) {
      std::string r = text(*terminated, {"reason"});
      if (r.empty()) {
        int64_t signal = intAt(*terminated, {"signal"});
        reason = signal != 0 ? fmt::format("Init:Signal:{}", signal)
                             : fmt::format("Init:ExitCode:{}", intAt(*terminated, {"exitCode"}));
      } else {
        reason = "Init:" + r;
      }
    } else if (std::string w = waiting ? text(*waiting, {"reason"}) : "";
               !w.empty() && w != "PodInitializing") {
      reason = "Init:" + w;
    } else {
      reason = fmt::format("Init:{}/{}", i, initSpecs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, "Initialized")) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    bool hasRunning = false;
    const json& statuses = listAt(pod, {"status", "containerStatuses"});
    for (size_t i = statuses.size(); i-- > 0;) {
      const json& cs = statuses[i];
      restarts += intAt(cs, {"restartCount"});
      noteRestart(cs, lastRestart);
      const json* waiting = types::at(cs, {"state", "waiting"});
      const json* terminated = types::at(cs, {"state", "terminated"});
      const json* running = types::at(cs, {"state", "running"});
      bool isTerminated = terminated && terminated->is_object();
      if (waiting && waiting->is_object() && !text(*waiting, {"reason"}).empty()) {
        reason = text(*waiting, {"reason"});
      } else if (isTerminated && !text(*terminated, {"reason"}).empty()) {
        reason = text(*terminated, {"reason"});
      } else if (isTerminated) {
        int64_t signal = intAt(*terminated, {"signal"});
        reason = signal != 0 ? fmt::format("Signal:{}", signal)
                             : fmt::format("ExitCode:{}", intAt(*terminated, {"exitCode"}));
      } else if (types::flag(cs, {"ready"}) && running && running->is_object()) {
        hasRunning = true;
        ++ready;
      }
    }
    // A pod with one container still running is not Completed.
    if (reason == "Completed" && hasRunning) {
      reason = hasCondition(pod, "Ready") ? "Running" : "NotReady";
    }
  }

  const json* deletion = types::at(pod, {"metadata", "deletionTimestamp"});
  bool deleting = deletion && !deletion->is_null();
  if (deleting && text(pod, {"status", "reason"}) == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  std::string restartsCell = std::to_string(restarts);
  if (restarts != 0 && lastRestart) {
    restartsCell = fmt::format(
        "{} ({} ago)", restarts,
        humanDuration(std::chrono::duration_cast<std::chrono::nanoseconds>(now - *lastRestart)));
  }

  std::string podIP;
  const json& ips = listAt(pod, {"status", "podIPs"});
  if (!ips.empty()) {
    podIP = text(ips[0], {"ip"});
  }
  if (podIP.empty()) {  // writers that set only podIP
    podIP = text(pod, {"status", "podIP"});
  }
  std::string gates = "<none>";
  const json& readinessGates = listAt(pod, {"spec", "readinessGates"});
  if (!readinessGates.empty()) {
    size_t trueConditions = 0;
    for (const auto& gate : readinessGates) {
      std::string type = text(gate, {"conditionType"});
      for (const auto& c : listAt(pod, {"status", "conditions"})) {
        if (text(c, {"type"}) == type) {
          if (text(c, {"status"}) == "True") {
            ++trueConditions;
          }
          break;
        }
      }
    }
    gates = fmt::format("{}/{}", trueConditions, readinessGates.size());
  }

  return {
      types::nameOf(pod),
      fmt::format("{}/{}", ready, total),
      reason,
      restartsCell,
      timestampSince(text(pod, {"metadata", "creationTimestamp"}), now),
      orNone(podIP),
      orNone(text(pod, {"spec", "nodeName"})),
      orNone(text(pod, {"status", "nominatedNodeName"})),
      gates,
  };
}

}  // namespace berth::apiserver
