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
//   monitor.pid   {"pid", "startTime"} of the monitor, written first
//   started.json  {"pid", "pidStartTime", "startedAt", "monitorPid", "monitorStartTime"} once
//                 the process runs
//   exited.json   {"exitCode", "signal", "oomKilled", "finishedAt"} once it ended
//   error.json    {"code", "message"} when create/start failed (e.g. executable not found)
//   pid, runtime.log, monitor.log   the runtime's pid file, its JSON log, the monitor's stderr
//
// A process is identified by pid + start time (field 22 of /proc/PID/stat), so pid reuse is
// never mistaken for a live container. Signals go through pidfds for the same reason.
// Implementations are thread-safe: calls for different dirs may run concurrently.

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
  std::optional<int64_t> cpuQuotaMicros;  // from limits.cpu, per 100 ms period; set once started
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
  int64_t logMaxBytes = int64_t{10} * 1024 * 1024;
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
  bool tty = false;  // a terminal: stdout carries its output, stdin (if asked) its input
  std::vector<std::string> env;  // added to (and overriding) the container's environment
};

class Runtime {
 public:
  virtual ~Runtime() = default;

  // Writes the bundle and starts the container under a new monitor. Returns once the process
  // runs (kRunning state, or kExited if it already ended) or failed to start:
  // kNotFound/kPermissionDenied/kInvalidArgument with the runtime's message (e.g. "executable
  // file 'nope' not found in $PATH"), and nothing left in the runtime, the cgroups or the
  // process table; the dir keeps error.json so state() says kFailed with the message.
  // kAlreadyExists if the id is in use or the dir's container still runs;
  // kDeadlineExceeded after RuntimeOptions::startTimeout. The stdin of the container is
  // /dev/null.
  virtual Result<ContainerState> start(const ContainerSpec& spec) = 0;

  // What the container dir's files say, checked against the live process:
  //   error.json -> kFailed; exited.json -> kExited; started.json and the process alive ->
  //   kRunning (also when its monitor died); started.json and the process gone without
  //   exited.json -> kExited with exitCode 255 and a message (the monitor was not there to
  //   see the end); nothing yet -> kUnknown with message "starting" or "not started".
  // Waits up to 2 s for exited.json when the process just ended and its monitor still runs.
  virtual ContainerState state(const std::filesystem::path& dir) = 0;

  // SIGTERM, then SIGKILL after `grace` (zero: SIGKILL at once); returns once the process is
  // gone and its monitor wrote exited.json (or is gone too). OK if it is not running.
  // kDeadlineExceeded if it survives SIGKILL for 10 s.
  virtual Status stop(const std::filesystem::path& dir, std::chrono::milliseconds grace) = 0;

  // Stops if needed, removes the container from the runtime, kills its monitor, removes `dir`.
  // Not an error if parts are already gone. The log file (outside dir) is kept.
  virtual Status remove(const std::filesystem::path& dir) = 0;

  // Runs a process in a running container (`crun exec`) with pipes for its stdio. The
  // runtime's own errors (executable not found) arrive on stderr and as exit code 255 (crun)
  // or 1..127 (runc). kConflict if the container is not running.
  virtual Result<ExecSession> exec(const std::filesystem::path& dir,
                                   const ExecOptions& options) = 0;
  // Waits for an exec'd process; returns its exit code (128+signal when killed). The session's
  // fds stay open: the caller owns and closes them.
  virtual Result<int> waitExec(const ExecSession& session) = 0;
  // Sets the terminal size of a tty exec session. kInvalidArgument without a terminal.
  virtual Status resizeExec(const ExecSession& session, uint16_t rows, uint16_t cols) {
    (void)session;
    (void)rows;
    (void)cols;
    return fail(ErrorCode::kInvalidArgument, "terminal resize is not supported");
  }

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
  // How long start() waits for the monitor to report the container running.
  std::chrono::milliseconds startTimeout{60000};
};

RuntimePtr makeOciRuntime(RuntimeOptions options);

// Makes crun usable on hybrid cgroup hosts where cgroup2 has controllers (host.md §3 fix A):
// mounts each controller found on cgroup2 (hugetlb here) as a v1 hierarchy beside the others.
// No-op on pure v1 or pure v2 hosts and when already done. Safe to run concurrently (a lock
// file under /run serialises the check and the mounts). kInternal if controllers remain.
Status prepareCgroups();

}  // namespace berth::runtime
