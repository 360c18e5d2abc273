#pragma once

// Running containers through an OCI runtime (crun, or runc) under a per-container monitor.
//
// Each container has a directory of its own (`ContainerSpec::dir`) holding the OCI bundle
// (config.json), the monitor's files and nothing else. The monitor (the berth-monitor binary)
// creates and starts the container, copies its stdout/stderr into a CRI-format log file,
// reaps it, records how it ended and deletes it from the runtime. It keeps doing so while the
// agent is stopped, so an agent restart neither stops nor loses containers.
//
// Files in a container dir (written atomically by the monitor):
//   config.json   OCI runtime spec
//   monitor.json  what the monitor was asked to do (runtime, id, log path, limits)
//   started.json  {"pid", "pidStartTime", "startedAt", "monitorPid"} once the process runs
//   exited.json   {"exitCode", "signal", "oomKilled", "finishedAt"} once it ended
//   error.json    {"message"} when create/start failed (e.g. executable not found)

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::runtime {

struct Mount {
  std::string destination;
  std::string type;  // "bind", "tmpfs", ...
  std::string source;
  std::vector<std::string> options;
};

struct Resources {
  std::optional<uint64_t> cpuShares;      // from requests.cpu (milli * 1024 / 1000, min 2)
  std::optional<int64_t> cpuQuotaMicros;  // from limits.cpu, per 100 ms period
  std::optional<int64_t> memoryLimitBytes;
  std::optional<int64_t> pidsLimit;
};

struct ContainerSpec {
  std::string id;                // runtime id: [a-z0-9-], no '/', unique on this node
  std::filesystem::path dir;     // the container's directory (see above)
  std::filesystem::path rootfs;  // prepared root filesystem (overlay mount)
  bool readOnlyRootfs = false;

  std::vector<std::string> args;  // argv; args[0] resolved in PATH by the runtime
  std::vector<std::string> env;   // "KEY=value"
  std::string cwd = "/";
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additionalGids;
  std::string hostname;

  // Namespaces shared by the pod's containers (bind-mounted namespace files); empty: new one.
  std::string netnsPath;
  std::string ipcnsPath;
  std::string utsnsPath;

  std::vector<Mount> mounts;         // added to the default /proc, /dev, /sys, ... mounts
  std::vector<std::string> capAdd;   // "NET_ADMIN" or "CAP_NET_ADMIN"
  std::vector<std::string> capDrop;  // "ALL" drops the default set
  bool privileged = false;
  bool noNewPrivileges = true;

  Resources resources;
  std::string cgroupsPath;  // e.g. "/berth/<id>"

  std::filesystem::path logPath;  // CRI-format log file
  int64_t logMaxBytes = 10 * 1024 * 1024;
  int logMaxFiles = 3;
};

enum class ContainerStatus { kRunning, kExited, kFailed, kUnknown };

struct ContainerState {
  ContainerStatus status = ContainerStatus::kUnknown;
  pid_t pid = 0;
  std::string startedAt;   // RFC 3339
  std::string finishedAt;  // RFC 3339
  int exitCode = 0;
  int signal = 0;
  bool oomKilled = false;
  std::string message;  // kFailed: why create/start failed ("executable file 'x' not found")
};

// A process started by exec: pipes to its stdio and a way to wait for it.
struct ExecSession {
  pid_t pid = 0;
  int stdinFd = -1;   // -1 when stdin was not requested
  int stdoutFd = -1;  // with tty, stdout carries both streams and stderrFd is -1
  int stderrFd = -1;
};

struct ExecOptions {
  std::vector<std::string> command;
  bool stdin = false;
  bool tty = false;
  std::vector<std::string> env;
};

class Runtime {
 public:
  virtual ~Runtime() = default;

  // Writes the bundle and starts the container under a new monitor. Returns once the process
  // runs (kRunning state) or failed to start: kInvalidArgument/kNotFound with the runtime's
  // message (e.g. "executable file 'nope' not found in $PATH") and nothing left in the runtime.
  virtual Result<ContainerState> start(const ContainerSpec& spec) = 0;

  // What the container dir's files say, checked against the live process.
  virtual ContainerState state(const std::filesystem::path& dir) = 0;

  // SIGTERM, then SIGKILL after `grace`; returns once the process is gone and reaped.
  virtual Status stop(const std::filesystem::path& dir, std::chrono::milliseconds grace) = 0;

  // Stops if needed, removes the container from the runtime, kills its monitor, removes `dir`.
  // Not an error if parts are already gone. The log file (outside dir) is kept.
  virtual Status remove(const std::filesystem::path& dir) = 0;

  // Runs a process in a running container (`crun exec`).
  virtual Result<ExecSession> exec(const std::filesystem::path& dir,
                                   const ExecOptions& options) = 0;
  // Waits for an exec'd process; returns its exit code (128+signal when killed).
  virtual Result<int> waitExec(const ExecSession& session) = 0;

  // Runtime ids the OCI runtime knows under this runtime's state root (for orphan cleanup).
  virtual Result<std::vector<std::string>> listIds() = 0;
  // Deletes a runtime container by id (orphan cleanup): kill -9 and delete.
  virtual Status forceDelete(const std::string& id) = 0;
};

using RuntimePtr = std::unique_ptr<Runtime>;

struct RuntimeOptions {
  std::string runtimePath = "crun";      // or "runc"
  std::filesystem::path stateRoot;       // --root for the OCI runtime (per agent)
  std::filesystem::path monitorPath;     // the berth-monitor binary
  std::filesystem::path seccompProfile;  // empty: the built-in profile
};

RuntimePtr makeOciRuntime(RuntimeOptions options);

// Makes crun usable on hybrid cgroup hosts where cgroup2 has controllers (host.md §3 fix A):
// mounts hugetlb as a v1 hierarchy if it is only on cgroup2. No-op elsewhere.
Status prepareCgroups();

}  // namespace berth::runtime
