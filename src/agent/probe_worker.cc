#include "agent/probe_worker.h"

#include <algorithm>

namespace berth::agent {

using std::chrono::milliseconds;
using std::chrono::seconds;

const char* probeKindName(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kLiveness:
      return "Liveness";
    case ProbeKind::kReadiness:
      return "Readiness";
    case ProbeKind::kStartup:
      return "Startup";
  }
  return "Unknown";
}

ProbeWorker::ProbeWorker(ProbeKind kind, api::Probe probe, Clock::MonoTime started)
    : kind_(kind),
      probe_(std::move(probe)),
      due_(started + seconds(std::max(0, probe_.initialDelaySeconds))),
      success_(kind == ProbeKind::kLiveness) {}

bool ProbeWorker::done() const {
  return onHold_ || (kind_ == ProbeKind::kStartup && success_);
}

milliseconds ProbeWorker::period() const {
  return seconds(std::max(1, probe_.periodSeconds));
}

milliseconds ProbeWorker::timeout() const {
  return seconds(std::max(1, probe_.timeoutSeconds));
}

void ProbeWorker::skip(Clock::MonoTime now) {
  due_ = now + period();
}

ProbeVerdict ProbeWorker::observe(ProbeOutcome outcome, Clock::MonoTime now) {
  due_ = now + period();
  if (done() || outcome == ProbeOutcome::kUnknown) {
    return ProbeVerdict::kNone;
  }
  if (outcome == last_) {
    ++run_;
  } else {
    last_ = outcome;
    run_ = 1;
  }
  const bool ok = outcome == ProbeOutcome::kSuccess;
  const int threshold =
      ok ? std::max(1, probe_.successThreshold) : std::max(1, probe_.failureThreshold);
  if (run_ < threshold || ok == success_) {
    if (!ok && run_ >= threshold && kind_ != ProbeKind::kReadiness) {
      // A startup probe that never succeeded fails with its result unchanged: still a kill.
      onHold_ = true;
      run_ = 0;
      return ProbeVerdict::kKill;
    }
    return ProbeVerdict::kNone;
  }
  success_ = ok;
  if (!ok && kind_ != ProbeKind::kReadiness) {
    // The container is killed and restarted as a new instance with workers of its own.
    onHold_ = true;
    run_ = 0;
    return ProbeVerdict::kKill;
  }
  return ProbeVerdict::kChanged;
}

}  // namespace berth::agent
