#pragma once

// Runtime implemented with an OCI runtime CLI (crun or runc) and one berth-monitor process per
// container. See runtime.h for the contract and the files of a container dir.

#include <nlohmann/json.hpp>
#include <optional>

#include "agent/runtime/monitor_files.h"
#include "agent/runtime/oci_spec.h"
#include "agent/runtime/runtime.h"
#include "agent/runtime/seccomp_bpf.h"

namespace berth::runtime {

class OciRuntime final : public Runtime {
 public:
  // Thread-safe: holds no mutable state; every call works from the container dir's files.
  explicit OciRuntime(RuntimeOptions options);

  Result<ContainerState> start(const ContainerSpec& spec) override;
  ContainerState state(const std::filesystem::path& dir) override;
  Status stop(const std::filesystem::path& dir, std::chrono::milliseconds grace) override;
  Status remove(const std::filesystem::path& dir) override;
  Result<ExecSession> exec(const std::filesystem::path& dir, const ExecOptions& options) override;
  Result<int> waitExec(const ExecSession& session) override;
  Status resizeExec(const ExecSession& session, uint16_t rows, uint16_t cols) override;
  Result<std::vector<std::string>> listIds() override;
  Status forceDelete(const std::string& id) override;

 private:
  // The spec options for this node (capabilities, rlimits, custom seccomp profile).
  Result<OciSpecOptions> specOptions() const;
  // Spawns berth-monitor for `dir` and waits for its report. Returns the monitor pid.
  Result<pid_t> spawnMonitor(const std::filesystem::path& dir);
  Result<std::string> awaitReport(int fd, pid_t monitorPid);
  // Removes what a failed start left: files except error.json, and when `ownsRuntimeState`
  // the runtime's state and the cgroups.
  void cleanUpFailedStart(const std::filesystem::path& dir, const MonitorRequest& request,
                          pid_t monitorPid, bool ownsRuntimeState);
  // Kills the monitor of `dir` if it still runs, and reaps it if it is our child.
  void killMonitor(const std::filesystem::path& dir);
  // Waits for exited.json while the monitor that would write it runs.
  bool waitForExitRecord(const std::filesystem::path& dir, std::chrono::milliseconds timeout);
  // `<runtime> delete -f id`; OK if the runtime does not know the id (any more). Uses the
  // runtime and state root the container was started with when `request` is given.
  Status deleteFromRuntime(const std::string& id, const MonitorRequest* request = nullptr);
  // exec with a terminal: `<runtime> exec --tty --console-socket` + runtimeArgs.
  Result<ExecSession> execTty(const MonitorRequest& request,
                              const std::vector<std::string>& runtimeArgs, bool withStdin);
  std::vector<std::string> command(const std::vector<std::string>& args,
                                   const MonitorRequest* request = nullptr) const;

  RuntimeOptions options_;
  bool isCrun_;
  SeccompCache seccomp_;
};

// The files of a container dir, read once.
struct ContainerFiles {
  std::optional<MonitorRequest> request;
  std::optional<ProcessId> monitor;  // from monitor.pid (written first by the monitor)
  std::optional<StartedRecord> started;
  std::optional<ExitedRecord> exited;
  std::optional<ErrorRecord> error;
};
ContainerFiles readContainerFiles(const std::filesystem::path& dir);

// "2026-11-29T03:57:25Z" from "2026-11-29T03:57:25.123456789Z" (Kubernetes' precision).
std::string toSeconds(const std::string& rfc3339Nano);

}  // namespace berth::runtime
