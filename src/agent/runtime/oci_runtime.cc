#include "agent/runtime/oci_runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "agent/runtime/capabilities.h"
#include "agent/runtime/cgroups.h"
#include "agent/runtime/process_util.h"
#include "agent/runtime/runtime_cli.h"
#include "base/files.h"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

// Files a start writes; removed before a new start in the same dir and after a failed one.
const std::vector<const char*> kStartFiles = {kConfigFile,  kMonitorRequestFile, kMonitorPidFile,
                                              kStartedFile, kExitedFile,         kErrorFile,
                                              kPidFile,     kRuntimeLogFile,     kMonitorLogFile};

ErrorCode errorCodeFor(const std::string& code) {
  if (code == "not-found") {
    return ErrorCode::kNotFound;
  }
  if (code == "permission-denied") {
    return ErrorCode::kPermissionDenied;
  }
  if (code == "invalid") {
    return ErrorCode::kInvalidArgument;
  }
  if (code == "already-exists") {
    return ErrorCode::kAlreadyExists;
  }
  return ErrorCode::kInternal;
}

}  // namespace

std::string toSeconds(const std::string& rfc3339Nano) {
  auto dot = rfc3339Nano.find('.');
  if (dot == std::string::npos) {
    return rfc3339Nano;
  }
  return rfc3339Nano.substr(0, dot) + "Z";
}

ContainerFiles readContainerFiles(const fs::path& dir) {
  ContainerFiles f;
  if (auto t = readFile(dir / kMonitorRequestFile)) {
    f.request = decodeMonitorRequest(*t);
  }
  if (auto t = readFile(dir / kMonitorPidFile)) {
    f.monitor = decodeProcessId(*t);
  }
  if (auto t = readFile(dir / kStartedFile)) {
    f.started = decodeStarted(*t);
  }
  if (auto t = readFile(dir / kExitedFile)) {
    f.exited = decodeExited(*t);
  }
  if (auto t = readFile(dir / kErrorFile)) {
    f.error = decodeError(*t);
  }
  return f;
}

OciRuntime::OciRuntime(RuntimeOptions options)
    : options_(std::move(options)),
      isCrun_(fs::path(options_.runtimePath).filename().string().find("crun") !=
              std::string::npos) {}

RuntimePtr makeOciRuntime(RuntimeOptions options) {
  return std::make_unique<OciRuntime>(std::move(options));
}

std::vector<std::string> OciRuntime::command(const std::vector<std::string>& args,
                                             const MonitorRequest* request) const {
  if (request) {
    return runtimeCommand(request->runtimePath, request->stateRoot, "", args);
  }
  return runtimeCommand(options_.runtimePath, options_.stateRoot.string(), "", args);
}

Result<OciSpecOptions> OciRuntime::specOptions() const {
  OciSpecOptions o;
  o.availableCapabilities = processBoundingSet();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_max != RLIM_INFINITY) {
    o.nofileHard = std::min<uint64_t>(o.nofileHard, limit.rlim_max);
  }
  if (!options_.seccompProfile.empty()) {
    BERTH_ASSIGN_OR_RETURN(std::string text, files::read(options_.seccompProfile));
    auto profile = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (profile.is_discarded() || !profile.is_object()) {
      return fail(ErrorCode::kInvalidArgument, "seccomp profile '{}' is not a JSON object",
                  options_.seccompProfile.string());
    }
    o.seccompProfile = std::move(profile);
  }
  return o;
}

Result<ContainerState> OciRuntime::start(const ContainerSpec& spec) {
  BERTH_ASSIGN_OR_RETURN(OciSpecOptions specOpts, specOptions());
  BERTH_ASSIGN_OR_RETURN(nlohmann::json config, buildOciSpec(spec, specOpts));
  if (isCrun_ && config["linux"].contains("seccomp")) {
    // crun loads the program as is instead of compiling linux.seccomp at every start.
    BERTH_ASSIGN_OR_RETURN(std::string program, seccomp_.base64Program(config["linux"]["seccomp"]));
    config["annotations"][kSeccompBpfAnnotation] = std::move(program);
  }
  if (spec.dir.empty() || !spec.dir.is_absolute()) {
    return fail(ErrorCode::kInvalidArgument, "container '{}': dir '{}' is not absolute", spec.id,
                spec.dir.string());
  }
  if (!files::exists(spec.rootfs / "")) {
    return fail(ErrorCode::kInvalidArgument, "container '{}': rootfs '{}' does not exist", spec.id,
                spec.rootfs.string());
  }
  if (ContainerState current = state(spec.dir); current.status == ContainerStatus::kRunning) {
    return fail(ErrorCode::kAlreadyExists, "container dir '{}' has a running container",
                spec.dir.string());
  }
  if (files::exists(options_.stateRoot / spec.id)) {
    return fail(ErrorCode::kAlreadyExists, "container '{}' already exists in the runtime", spec.id);
  }
  BERTH_TRY_STATUS(files::makeDirs(spec.dir, 0700));
  BERTH_TRY_STATUS(files::makeDirs(options_.stateRoot, 0700));
  for (const char* name : kStartFiles) {
    ::unlink((spec.dir / name).c_str());
  }

  MonitorRequest request;
  request.id = spec.id;
  request.runtimePath = options_.runtimePath;
  request.stateRoot = options_.stateRoot.string();
  request.logPath = spec.logPath.string();
  request.logMaxBytes = spec.logMaxBytes;
  request.logMaxFiles = spec.logMaxFiles;
  request.cgroupsPath = effectiveCgroupsPath(spec);
  request.cpuQuota = deferredCpuQuota(spec);
  if (!spec.logPath.empty()) {
    BERTH_TRY_STATUS(files::makeDirs(spec.logPath.parent_path()));
  }
  for (auto [name, content] :
       {std::pair{kConfigFile, config.dump()}, std::pair{kMonitorRequestFile, encode(request)}}) {
    if (int err = writeFileAtomic(spec.dir / name, content); err != 0) {
      return fail(errnoError(err, fmt::format("write '{}'", (spec.dir / name).string())));
    }
  }

  int sync[2];
  if (::pipe2(sync, O_CLOEXEC) != 0) {
    return fail(errnoError(errno, "pipe"));
  }
  int monitorLog =
      ::open((spec.dir / kMonitorLogFile).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  SpawnOptions spawn;
  spawn.stderrFd = monitorLog;
  spawn.extraFds = {sync[1]};
  spawn.newSession = true;
  pid_t monitorPid =
      spawnProcess({options_.monitorPath.string(), spec.dir.string(), "--sync-fd", "3"}, spawn);
  ::close(sync[1]);
  if (monitorLog >= 0) {
    ::close(monitorLog);
  }
  if (monitorPid < 0) {
    ::close(sync[0]);
    cleanUpFailedStart(spec.dir, request, -1, true);
    return fail(
        errnoError(-monitorPid, fmt::format("start monitor '{}'", options_.monitorPath.string())));
  }
  auto report = awaitReport(sync[0], monitorPid);
  ::close(sync[0]);
  if (!report) {
    cleanUpFailedStart(spec.dir, request, monitorPid, true);
    return fail(std::move(report.error()));
  }
  if (report->starts_with("error ")) {
    std::string rest = report->substr(6);
    auto space = rest.find(' ');
    std::string code = rest.substr(0, space);
    std::string message = space == std::string::npos ? "" : rest.substr(space + 1);
    // An id that already existed belongs to another container: its runtime state and cgroups
    // are not ours to remove.
    cleanUpFailedStart(spec.dir, request, monitorPid, code != "already-exists");
    return fail(errorCodeFor(code), "{}", message);
  }
  return state(spec.dir);
}

Result<std::string> OciRuntime::awaitReport(int fd, pid_t monitorPid) {
  auto deadline = std::chrono::steady_clock::now() + options_.startTimeout;
  std::string text;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return fail(ErrorCode::kDeadlineExceeded, "container did not start within {} ms",
                  options_.startTimeout.count());
    }
    pollfd pfd{fd, POLLIN, 0};
    int rc = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) {
      continue;
    }
    if (rc <= 0) {
      continue;
    }
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n > 0) {
      text.append(buf, static_cast<size_t>(n));
      if (auto nl = text.find('\n'); nl != std::string::npos) {
        return text.substr(0, nl);
      }
      continue;
    }
    // EOF without a report: the monitor died; its log says why.
    int status = 0;
    ::waitpid(monitorPid, &status, 0);
    (void)status;
    return fail(ErrorCode::kInternal, "monitor exited before the container started");
  }
}

void OciRuntime::cleanUpFailedStart(const fs::path& dir, const MonitorRequest& request,
                                    pid_t monitorPid, bool ownsRuntimeState) {
  if (monitorPid > 0) {
    // The monitor exits right after reporting an error; on a timeout it is still busy.
    ::kill(monitorPid, SIGKILL);
    int status = 0;
    while (::waitpid(monitorPid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (ownsRuntimeState) {
    (void)deleteFromRuntime(request.id, &request);
    (void)removeCgroupDirs(request.cgroupsPath);
  }
  for (const char* name : kStartFiles) {
    if (std::string(name) != kErrorFile) {
      ::unlink((dir / name).c_str());
    }
  }
}

ContainerState OciRuntime::state(const fs::path& dir) {
  ContainerState s;
  if (!files::exists(dir)) {
    s.message = fmt::format("container dir '{}' does not exist", dir.string());
    return s;
  }
  ContainerFiles f = readContainerFiles(dir);
  if (f.error) {
    s.status = ContainerStatus::kFailed;
    s.message = f.error->message;
    return s;
  }
  if (!f.started) {
    if (f.monitor && isRunning(*f.monitor)) {
      s.message = "starting";
    } else {
      s.message = f.request ? "not started" : "no container";
    }
    return s;
  }
  s.pid = f.started->process.pid;
  s.startedAt = toSeconds(f.started->startedAt);
  if (!f.exited && !isRunning(f.started->process)) {
    // Exited (possibly still a zombie): its monitor is about to write exited.json.
    if (waitForExitRecord(dir, std::chrono::milliseconds(2000))) {
      f = readContainerFiles(dir);
    }
  }
  if (f.exited) {
    s.status = ContainerStatus::kExited;
    s.exitCode = f.exited->exitCode;
    s.signal = f.exited->signal;
    s.oomKilled = f.exited->oomKilled;
    s.finishedAt = toSeconds(f.exited->finishedAt);
    if (f.started->monitor.pid > 0) {
      // A monitor that finished is our zombie if we (or our subreaper role) started it.
      ProcStat st = readProcStat(f.started->monitor.pid);
      if (st.state == 'Z' && st.startTime == f.started->monitor.startTime) {
        reapIfChild(f.started->monitor.pid);
      }
    }
    return s;
  }
  if (isRunning(f.started->process)) {
    s.status = ContainerStatus::kRunning;
    return s;
  }
  s.status = ContainerStatus::kExited;
  s.exitCode = 255;
  s.message = "container exited while its monitor was not running; exit status unknown";
  return s;
}

bool OciRuntime::waitForExitRecord(const fs::path& dir, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (files::exists(dir / kExitedFile)) {
      return true;
    }
    auto f = readContainerFiles(dir);
    ProcessId monitor = f.started ? f.started->monitor : f.monitor.value_or(ProcessId{});
    if (!isRunning(monitor) || std::chrono::steady_clock::now() >= deadline) {
      return files::exists(dir / kExitedFile);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace berth::runtime
