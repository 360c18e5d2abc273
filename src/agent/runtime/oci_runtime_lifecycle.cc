// OciRuntime: stopping, removing and cleaning up containers.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/runtime/cgroups.h"
#include "agent/runtime/oci_runtime.h"
#include "agent/runtime/process_util.h"
#include "base/files.h"
#include "base/process.h"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

// How long a SIGKILLed process may take to be gone (the kernel frees its memory first).
constexpr std::chrono::milliseconds kKillTimeout{10000};
// How long the monitor may take to write exited.json once the process is gone.
constexpr std::chrono::milliseconds kExitRecordTimeout{5000};
// How long the monitor may take to delete the exited container from the runtime and exit.
constexpr std::chrono::milliseconds kMonitorExitGrace{3000};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Status OciRuntime::stop(const fs::path& dir, std::chrono::milliseconds grace) {
  ContainerFiles f = readContainerFiles(dir);
  if (!f.started || f.exited) {
    return ok();
  }
  // The pidfd pins the process: signals cannot reach a later process that reused the pid.
  Fd pidfd(openPidfd(f.started->process));
  if (pidfd.get() >= 0 && isRunning(f.started->process)) {
    bool exited = false;
    if (grace.count() > 0 && pidfdSignal(pidfd.get(), SIGTERM) == 0) {
      exited = waitPidfd(pidfd.get(), grace);
    }
    if (!exited) {
      pidfdSignal(pidfd.get(), SIGKILL);
      if (!waitPidfd(pidfd.get(), kKillTimeout)) {
        return fail(ErrorCode::kDeadlineExceeded, "container '{}' (pid {}) survived SIGKILL",
                    f.request ? f.request->id : dir.string(), f.started->process.pid);
      }
    }
  }
  waitForExitRecord(dir, kExitRecordTimeout);
  return ok();
}

void OciRuntime::killMonitor(const fs::path& dir) {
  ContainerFiles f = readContainerFiles(dir);  // after stop(): exited.json is there if it exited
  ProcessId monitor = f.started ? f.started->monitor : f.monitor.value_or(ProcessId{});
  if (monitor.pid <= 0) {
    return;
  }
  Fd pidfd(openPidfd(monitor));
  if (pidfd.get() >= 0) {
    // Once the container has exited, the monitor runs `crun delete` and exits by itself;
    // killing it then would orphan that crun half-way. Give it a moment first.
    bool exitedByItself = f.exited && waitPidfd(pidfd.get(), kMonitorExitGrace);
    if (!exitedByItself && isRunning(monitor)) {
      pidfdSignal(pidfd.get(), SIGKILL);
      waitPidfd(pidfd.get(), kKillTimeout);
    }
    // Still pinned by the pidfd, so waitpid cannot hit a reused pid.
    reapIfChild(monitor.pid);
  }
}

Status OciRuntime::remove(const fs::path& dir) {
  if (!files::exists(dir)) {
    return ok();
  }
  ContainerFiles f = readContainerFiles(dir);
  BERTH_TRY_STATUS(stop(dir, std::chrono::milliseconds(0)));
  killMonitor(dir);
  if (f.request) {
    BERTH_TRY_STATUS(deleteFromRuntime(f.request->id, &*f.request));
    BERTH_TRY_STATUS(removeCgroupDirs(f.request->cgroupsPath));
  }
  return files::removeAll(dir);
}

Status OciRuntime::deleteFromRuntime(const std::string& id, const MonitorRequest* request) {
  if (id.empty() || id.find('/') != std::string::npos) {
    return ok();
  }
  fs::path stateDir = (request ? fs::path(request->stateRoot) : options_.stateRoot) / id;
  if (!files::exists(stateDir)) {
    return ok();
  }
  process::Options o;
  o.timeout = std::chrono::milliseconds(30000);
  auto outcome = process::run(command({"delete", "-f", id}, request), o);
  if (!files::exists(stateDir)) {
    return ok();
  }
  if (!outcome) {
    return fail(std::move(outcome.error()).wrap(fmt::format("delete container '{}'", id)));
  }
  return fail(ErrorCode::kInternal, "delete container '{}': {}", id, outcome->describe());
}

Result<std::vector<std::string>> OciRuntime::listIds() {
  if (!files::exists(options_.stateRoot)) {
    return std::vector<std::string>{};
  }
  process::Options o;
  o.timeout = std::chrono::milliseconds(30000);
  BERTH_ASSIGN_OR_RETURN(auto outcome, process::runChecked(command({"list", "-q"}), o));
  std::vector<std::string> ids;
  std::string line;
  for (char c : outcome.out) {
    if (c == '\n') {
      if (!line.empty()) {
        ids.push_back(line);
      }
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) {
    ids.push_back(line);
  }
  return ids;
}

Status OciRuntime::forceDelete(const std::string& id) {
  BERTH_TRY_STATUS(validateContainerId(id));
  BERTH_TRY_STATUS(deleteFromRuntime(id));
  ContainerSpec spec;
  spec.id = id;
  return removeCgroupDirs(effectiveCgroupsPath(spec));
}

}  // namespace berth::runtime
