#pragma once

// The per-container monitor (the berth-monitor process), started detached by OciRuntime.
//
// In order, it: becomes a child subreaper (so the container init, orphaned when the runtime's
// `create` exits, becomes its child); runs `<runtime> create` with the container's stdout and
// stderr on pipes it reads, then `<runtime> start`; writes the CPU quota into the container's
// cgroup (MonitorRequest::cpuQuota; failing that fails the start); writes started.json and
// reports "ok" on the sync fd (or error.json and "error <code> <message>", after `<runtime>
// delete -f`) and logs how long each step took (stderr, which OciRuntime points at monitor.log);
// copies the output into the CRI log until the init exits and the pipes close; reads the OOM-kill
// counter of the memory cgroup before the runtime deletes it; writes exited.json; runs `<runtime>
// delete -f`; exits.
//
// Standard library, libc and nlohmann::json only: one of these runs per container, so it must
// stay small (statically linked, a few hundred KiB resident).

#include <filesystem>
#include <string>

#include "agent/runtime/cri_log.h"
#include "agent/runtime/monitor_files.h"

namespace berth::runtime {

class Monitor {
 public:
  // `dir` is the container dir (holding monitor.json and config.json); `syncFd` is the write
  // end of the starter's pipe, or -1.
  Monitor(std::filesystem::path dir, int syncFd);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Does everything above; returns the process exit code (0 once the container ran and ended).
  int run();

 private:
  bool setUp();
  bool createAndStart();
  void copyOutputUntilExit();
  void finish();
  void failStart(const std::string& code, const std::string& message);
  void report(const std::string& line);
  // Runs the OCI runtime with args and waits; returns the wait status, or -1 if not started.
  int runRuntime(const std::vector<std::string>& args, int stdoutFd, int stderrFd);
  std::string runtimeFailure(const std::string& what, int status);
  void reapChildren();

  std::filesystem::path dir_;
  int syncFd_;
  MonitorRequest request_;
  std::unique_ptr<CriLogWriter> log_;
  int outPipe_[2] = {-1, -1};
  int errPipe_[2] = {-1, -1};
  int signalFd_ = -1;
  ProcessId init_;
  std::string oomFile_;
  long long oomBefore_ = 0;
  bool initExited_ = false;
  int initStatus_ = 0;
  std::string finishedAt_;
  std::string timings_;  // of the start's steps, logged once it succeeded
};

}  // namespace berth::runtime
