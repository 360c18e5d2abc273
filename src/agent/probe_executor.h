#pragma once

// Running one probe against a container instance: exec (a command in the container, exit 0 is
// a success), httpGet (200 <= status < 400 is a success; HTTPS is not verified) and tcpSocket
// (a connection within the timeout is a success), as the kubelet's probers do
// (pkg/probe/{exec,http,tcp}). Failure messages use the kubelet's wording, e.g.
// "HTTP probe failed with statuscode: 500".

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/probe_worker.h"
#include "agent/runtime/runtime.h"
#include "api/pod.h"
#include "base/clock.h"

namespace berth::agent {

// Where a probe goes: one running container instance of a pod.
struct ProbeTarget {
  std::string container;
  std::string runtimeId;                  // of the instance
  std::filesystem::path dir;              // the instance's runtime dir (for exec)
  std::string podIP;                      // default host of httpGet and tcpSocket
  std::vector<api::ContainerPort> ports;  // to resolve named ports
  Clock::WallTime startedAt;              // when the instance started (initialDelaySeconds)
};

struct ProbeRun {
  ProbeOutcome outcome = ProbeOutcome::kUnknown;
  std::string output;  // failure: what went wrong (event message); success: body/output
};

class ProbeExecutor {
 public:
  virtual ~ProbeExecutor() = default;
  // Runs `probe` (exactly one of its handlers is used) against `target` within `timeout`.
  // Blocks for at most about `timeout`. Thread-safe.
  virtual ProbeRun run(const api::Probe& probe, const ProbeTarget& target,
                       std::chrono::milliseconds timeout) = 0;
};

using ProbeExecutorPtr = std::unique_ptr<ProbeExecutor>;

// The real one: exec through `runtime`, HTTP and TCP from the host to the pod's IP.
ProbeExecutorPtr makeProbeExecutor(runtime::Runtime& runtime);

// The port a probe names: a number, or the name of one of `ports`. -1 if neither.
int resolveProbePort(const std::string& port, const std::vector<api::ContainerPort>& ports);

// httpGet against `host` (the pod IP unless the action names one).
ProbeRun probeHttp(const api::HttpGetAction& action, const std::string& podIP,
                   const std::vector<api::ContainerPort>& ports, std::chrono::milliseconds timeout);
// tcpSocket against `host` (the pod IP unless the action names one).
ProbeRun probeTcp(const api::TcpSocketAction& action, const std::string& podIP,
                  const std::vector<api::ContainerPort>& ports, std::chrono::milliseconds timeout);
// exec in the container at `dir`; kUnknown when the container is not running.
ProbeRun probeExec(runtime::Runtime& runtime, const api::ExecAction& action,
                   const std::filesystem::path& dir, std::chrono::milliseconds timeout);

}  // namespace berth::agent
