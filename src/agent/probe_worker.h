#pragma once

// The state of one probe (liveness, readiness or startup) of one container instance, after the
// kubelet's prober worker (pkg/kubelet/prober/worker.go). Pure: no threads, no I/O; the time
// comes in as arguments, so tests drive it with any clock.
//
// Rules:
//  - initial result: readiness kFailure (not ready until a success), liveness kSuccess,
//    startup kFailure (not started until a success);
//  - no probe runs before the instance has run initialDelaySeconds; then one runs every
//    periodSeconds;
//  - a result replaces the current one only after `successThreshold` consecutive successes or
//    `failureThreshold` consecutive failures;
//  - liveness and startup: reaching the failure threshold asks for the container to be killed,
//    and the worker goes on hold (no more probes: its instance is ending);
//  - startup: once it succeeded it never runs again; liveness and readiness do not run while
//    the container has a startup probe that has not succeeded (the caller tells, gated()).
//
// Thread safety: none; the owner (Prober) serialises access.

#include <chrono>
#include <string>

#include "api/pod.h"
#include "base/clock.h"

namespace berth::agent {

enum class ProbeKind { kLiveness, kReadiness, kStartup };

// "Liveness", "Readiness", "Startup" (the kubelet's wording in events).
const char* probeKindName(ProbeKind kind);

// What one probe run found. kUnknown: the probe could not run (e.g. the container is stopping);
// it is thrown away without counting.
enum class ProbeOutcome { kSuccess, kFailure, kUnknown };

// What observe() means for the container.
enum class ProbeVerdict {
  kNone,     // the current result stays
  kChanged,  // the current result changed (the pod's status must be recomputed)
  kKill,     // liveness/startup failed failureThreshold times: kill the container
};

// What the probes say about one container's current instance.
struct ContainerProbeStatus {
  std::string runtimeId;  // the instance these results are about
  bool started = true;    // the startup probe succeeded (true without one)
  bool ready = true;      // the readiness probe succeeded (true without one)
};

class ProbeWorker {
 public:
  // `started`: when the container instance started (same clock as the `now` arguments).
  ProbeWorker(ProbeKind kind, api::Probe probe, Clock::MonoTime started);

  ProbeKind kind() const { return kind_; }
  const api::Probe& probe() const { return probe_; }
  // The current result: true for success.
  bool success() const { return success_; }
  // Whether it asked for a kill and stopped probing (its instance is ending).
  bool onHold() const { return onHold_; }
  // Whether the worker is finished: on hold, or a startup probe that succeeded.
  bool done() const;

  // When the next probe is due.
  Clock::MonoTime due() const { return due_; }
  // The probe's timeout (timeoutSeconds, at least 1 s).
  std::chrono::milliseconds timeout() const;

  // A probe was due but did not run (startup not succeeded yet): looks again one period later.
  void skip(Clock::MonoTime now);
  // Records the outcome of a probe that ran at `now`, and schedules the next one.
  ProbeVerdict observe(ProbeOutcome outcome, Clock::MonoTime now);

 private:
  std::chrono::milliseconds period() const;

  ProbeKind kind_;
  api::Probe probe_;
  Clock::MonoTime due_;
  bool success_;
  ProbeOutcome last_ = ProbeOutcome::kUnknown;
  int run_ = 0;  // consecutive outcomes equal to last_
  bool onHold_ = false;
};

}  // namespace berth::agent
