#include "agent/pod_status.h"

#include <fmt/format.h>

namespace berth::agent {
namespace {

using runtime::ContainerStatus;

std::string containerID(const ContainerRecord& rec) {
  return rec.runtimeId.empty() ? "" : "berth://" + rec.runtimeId;
}

const api::Container* findSpec(const api::Pod& pod, const std::string& name) {
  for (const auto& c : pod.spec.containers) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

bool finished(const runtime::ContainerState& s) {
  return s.status == ContainerStatus::kExited;
}

api::PodCondition condition(const std::string& type, bool value, const StatusInputs& in,
                            const std::string& reason = "", const std::string& message = "") {
  api::PodCondition c;
  c.type = type;
  c.status = value ? "True" : "False";
  c.reason = value ? "" : reason;
  c.message = value ? "" : message;
  c.lastTransitionTime = in.now;
  if (in.previous) {
    for (const auto& p : in.previous->conditions) {
      if (p.type == type && p.status == c.status) {
        c.lastTransitionTime = p.lastTransitionTime;
      }
    }
  }
  return c;
}

}  // namespace

bool shouldRestart(const std::string& restartPolicy, bool init, int exitCode) {
  if (restartPolicy == "Never") {
    return false;
  }
  if (init || restartPolicy == "OnFailure") {
    return exitCode != 0;
  }
  return true;  // Always
}

api::ContainerStateTerminated terminatedState(const runtime::ContainerState& state,
                                              const std::string& id) {
  api::ContainerStateTerminated t;
  t.exitCode = state.exitCode;
  t.signal = state.signal;
  t.reason = state.oomKilled ? "OOMKilled" : (state.exitCode == 0 ? "Completed" : "Error");
  t.message = state.message;
  t.startedAt = state.startedAt;
  t.finishedAt = state.finishedAt;
  t.containerID = id;
  return t;
}

api::PodStatus computePodStatus(const StatusInputs& in) {
  const PodRecord& rec = *in.record;
  const api::Pod& pod = rec.pod;
  api::PodStatus st;
  st.hostIP = in.hostIP;
  st.podIP = rec.podIP;
  if (!rec.podIP.empty()) {
    st.podIPs.push_back({rec.podIP});
  }
  st.startTime = rec.startTime;
  st.qosClass = "BestEffort";

  if (!rec.invalidReason.empty()) {
    st.phase = "Failed";
    st.reason = rec.invalidReason;
    st.message = rec.invalidMessage;
    st.conditions.push_back(condition("PodScheduled", true, in));
    return st;
  }

  const std::string& policy = pod.spec.restartPolicy;
  bool initDone = true, initFailed = false;
  int running = 0, waiting = 0, succeeded = 0, failed = 0, ready = 0;
  int restarting = 0;  // ended and about to start again (back-off included)
  size_t regular = 0;
  std::string unready;  // names of the regular containers not ready

  for (size_t i = 0; i < rec.containers.size(); ++i) {
    const ContainerRecord& c = rec.containers[i];
    api::ContainerStatus cs;
    cs.name = c.name;
    cs.image = c.image;
    cs.imageID = c.imageId;
    cs.containerID = c.started ? containerID(c) : "";
    cs.restartCount = c.restartCount;
    if (c.lastTerminated) {
      cs.lastState.terminated = c.lastTerminated;
    }
    auto live = in.live.find(i);
    bool hasInstance = c.started && live != in.live.end();
    if (hasInstance && live->second.status == ContainerStatus::kRunning) {
      cs.state.running = api::ContainerStateRunning{live->second.startedAt};
      // Probes decide, for the instance they are about (prober.h).
      bool started = true, ready = !c.init;
      if (const api::Container* spec = c.init ? nullptr : findSpec(pod, c.name)) {
        started = !spec->startupProbe;
        ready = !spec->readinessProbe;
        auto probed = in.probes.find(c.name);
        if (probed != in.probes.end() && probed->second.runtimeId == c.runtimeId) {
          started = probed->second.started;
          ready = probed->second.ready;
        }
      }
      cs.started = started;
      cs.ready = started && ready;
      ++running;
    } else if (hasInstance && finished(live->second)) {
      const auto& s = live->second;
      bool restart = shouldRestart(policy, c.init, s.exitCode);
      if (restart && c.backoffUntilMs > in.nowMs) {
        cs.state.waiting = api::ContainerStateWaiting{
            "CrashLoopBackOff",
            fmt::format("back-off {}s restarting failed container={} pod={}_{}({})",
                        (c.backoffDelayMs + 999) / 1000, c.name, pod.metadata.name,
                        pod.metadata.namespace_, pod.metadata.uid)};
        cs.lastState = {};
        cs.lastState.terminated = terminatedState(s, containerID(c));
        ++waiting;
        ++restarting;
      } else {
        cs.state.terminated = terminatedState(s, containerID(c));
        if (s.exitCode == 0) {
          ++succeeded;
        } else {
          ++failed;
        }
        if (restart) {
          ++waiting;  // about to be restarted
          ++restarting;
        }
      }
      cs.started = false;
    } else {
      std::string reason = c.waitingReason.empty() ? "ContainerCreating" : c.waitingReason;
      if (!c.init && !initDone && c.waitingReason.empty()) {
        reason = "PodInitializing";
      }
      cs.state.waiting = api::ContainerStateWaiting{reason, c.waitingMessage};
      cs.started = false;
      ++waiting;
    }

    if (c.init) {
      bool ok = cs.state.terminated && cs.state.terminated->exitCode == 0;
      if (!ok) {
        if (cs.state.terminated && !shouldRestart(policy, true, cs.state.terminated->exitCode)) {
          initFailed = true;
        }
        initDone = false;
      }
      st.initContainerStatuses.push_back(std::move(cs));
      // Init counters are not part of the regular containers' tally.
      running = waiting = succeeded = failed = restarting = 0;
      continue;
    }
    ++regular;
    if (cs.ready) {
      ++ready;
    } else {
      unready += (unready.empty() ? "" : " ") + cs.name;
    }
    st.containerStatuses.push_back(std::move(cs));
  }

  // Phase, after the kubelet's getPhase().
  if (initFailed) {
    st.phase = "Failed";
    // Pending again in the last branch, but unfinished init containers must win over the
    // branches in between.
    // NOLINTNEXTLINE(bugprone-branch-clone)
  } else if (!initDone) {
    st.phase = "Pending";
  } else if (running > 0 || restarting > 0) {
    // Exited containers being restarted keep the pod Running. A restarting container also
    // counts as waiting, so checking it before the all-terminated case below is the same as
    // the kubelet's order.
    st.phase = "Running";
  } else if (static_cast<size_t>(succeeded) + static_cast<size_t>(failed) == regular &&
             waiting == 0) {
    st.phase = failed > 0 ? "Failed" : "Succeeded";
  } else {
    st.phase = "Pending";
  }

  bool allReady = regular > 0 && static_cast<size_t>(ready) == regular;
  bool done = st.phase == "Succeeded" || st.phase == "Failed";
  st.conditions.push_back(condition("PodReadyToStartContainers", rec.sandboxCreated, in));
  st.conditions.push_back(condition("Initialized", initDone, in, "ContainersNotInitialized"));
  // As the kubelet words it: "containers with unready status: [web sidecar]".
  const std::string message =
      done ? "" : fmt::format("containers with unready status: [{}]", unready);
  st.conditions.push_back(
      condition("Ready", allReady, in, done ? "PodCompleted" : "ContainersNotReady", message));
  st.conditions.push_back(condition("ContainersReady", allReady, in,
                                    done ? "PodCompleted" : "ContainersNotReady", message));
  st.conditions.push_back(condition("PodScheduled", true, in));
  return st;
}

}  // namespace berth::agent
