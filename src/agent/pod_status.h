#pragma once

// Computes a pod's status (phase, conditions, container statuses) from the agent's record of it
// and what the runtime reports for each container instance, following the kubelet's rules.
// Pure: everything comes in as arguments.

#include <map>
#include <string>

#include "agent/pod_record.h"
#include "agent/probe_worker.h"
#include "agent/runtime/runtime.h"
#include "api/pod.h"

namespace berth::agent {

struct StatusInputs {
  const PodRecord* record = nullptr;
  // Live state of each container's current instance, by record index; absent: no instance.
  std::map<size_t, runtime::ContainerState> live;
  std::string hostIP;
  std::string now;  // RFC 3339, for transition times
  int64_t nowMs = 0;
  // Previous status, to keep lastTransitionTime of unchanged conditions.
  const api::PodStatus* previous = nullptr;
  // Probe results by container name (prober.h). A running container with a readiness
  // (startup) probe is ready (started) only when its entry, for the same instance, says so;
  // one without such a probe is ready (started) once it runs.
  std::map<std::string, ContainerProbeStatus> probes;
};

api::PodStatus computePodStatus(const StatusInputs& in);

// What a container instance's end looks like in the API: reason Completed (0), OOMKilled, Error.
api::ContainerStateTerminated terminatedState(const runtime::ContainerState& state,
                                              const std::string& containerID);

// Whether a container that ended with `exitCode` is started again under `restartPolicy`.
// Init containers restart on failure unless the policy is Never.
bool shouldRestart(const std::string& restartPolicy, bool init, int exitCode);

}  // namespace berth::agent
