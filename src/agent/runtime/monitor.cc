#include "agent/runtime/monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "agent/runtime/cgroup_paths.h"
#include "agent/runtime/process_util.h"
#include "agent/runtime/runtime_cli.h"

namespace berth::runtime {
namespace {

// After the init exits every other process of its pid namespace is killed, so the pipes close
// at once; this bounds the wait should something outside the namespace hold them open.
constexpr std::chrono::milliseconds kDrainAfterExit{2000};

void closeFd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

void logLine(const std::string& text) {
  std::string line = nowRfc3339Nano() + " " + text + "\n";
  (void)!::write(2, line.data(), line.size());
}

// Milliseconds since `from`, with one decimal, and `from` moved to now.
std::string lap(std::chrono::steady_clock::time_point& from) {
  auto now = std::chrono::steady_clock::now();
  auto tenths = std::chrono::duration_cast<std::chrono::microseconds>(now - from).count() / 100;
  from = now;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " ms";
}

}  // namespace

Monitor::Monitor(std::filesystem::path dir, int syncFd) : dir_(std::move(dir)), syncFd_(syncFd) {}

Monitor::~Monitor() {
  closeFd(outPipe_[0]);
  closeFd(outPipe_[1]);
  closeFd(errPipe_[0]);
  closeFd(errPipe_[1]);
  closeFd(signalFd_);
  closeFd(syncFd_);
}

int Monitor::run() {
  auto t = std::chrono::steady_clock::now();
  if (!setUp()) {
    return 1;
  }
  timings_ = "set-up " + lap(t);
  if (!createAndStart()) {
    return 1;
  }
  copyOutputUntilExit();
  finish();
  return 0;
}

bool Monitor::setUp() {
  // Orphaned descendants (the container init once `create` has exited) become our children.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  signalFd_ = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

  writeFileAtomic(dir_ / kMonitorPidFile, encode(currentProcessId(::getpid())));

  auto text = readFile(dir_ / kMonitorRequestFile);
  auto request = text ? decodeMonitorRequest(*text) : std::nullopt;
  if (!request) {
    failStart("invalid", "cannot read '" + (dir_ / kMonitorRequestFile).string() + "'");
    return false;
  }
  request_ = *request;
  if (!request_.logPath.empty()) {
    log_ = std::make_unique<CriLogWriter>(request_.logPath, request_.logMaxBytes,
                                          request_.logMaxFiles);
    if (int err = log_->open(); err != 0) {
      failStart("internal", "open log '" + request_.logPath + "': " + std::strerror(err));
      return false;
    }
  }
  if (::pipe2(outPipe_, O_CLOEXEC) != 0 || ::pipe2(errPipe_, O_CLOEXEC) != 0) {
    failStart("internal", std::string("pipe: ") + std::strerror(errno));
    return false;
  }
  return true;
}

int Monitor::runRuntime(const std::vector<std::string>& args, int stdoutFd, int stderrFd) {
  SpawnOptions options;
  options.stdoutFd = stdoutFd;
  options.stderrFd = stderrFd;
  auto argv = runtimeCommand(request_.runtimePath, request_.stateRoot,
                             (dir_ / kRuntimeLogFile).string(), args);
  pid_t pid = spawnProcess(argv, options);
  if (pid < 0) {
    logLine("spawn '" + request_.runtimePath + "': " + std::strerror(-pid));
    return -1;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return status;
}

std::string Monitor::runtimeFailure(const std::string& what, int status) {
  auto text = readFile(dir_ / kRuntimeLogFile);
  std::string message = text ? cleanRuntimeMessage(lastRuntimeError(*text)) : "";
  if (!message.empty()) {
    return message;
  }
  if (status < 0) {
    return "cannot run '" + request_.runtimePath + "'";
  }
  return "'" + request_.runtimePath + " " + what + "' failed with exit status " +
         std::to_string(exitCodeOf(status));
}

bool Monitor::createAndStart() {
  // Another container with this id must be left alone: the clean-up after a failed create
  // (`delete -f`) would otherwise kill it.
  if (::access((std::filesystem::path(request_.stateRoot) / request_.id).c_str(), F_OK) == 0) {
    std::string message = "container '" + request_.id + "' already exists in the runtime";
    logLine("start failed: " + message);
    writeFileAtomic(dir_ / kErrorFile, encode(ErrorRecord{"already-exists", message}));
    report("error already-exists " + message);
    closeFd(syncFd_);
    return false;
  }
  // A stale pid file from an earlier attempt must not be mistaken for this container's.
  ::unlink((dir_ / kPidFile).c_str());
  auto t = std::chrono::steady_clock::now();
  int status = runRuntime(
      {"create", "--bundle", dir_.string(), "--pid-file", (dir_ / kPidFile).string(), request_.id},
      outPipe_[1], errPipe_[1]);
  // Only the container init holds the write ends now, so the pipes close when it is gone.
  closeFd(outPipe_[1]);
  closeFd(errPipe_[1]);
  if (status != 0) {
    std::string message = runtimeFailure("create", status);
    failStart(classifyRuntimeMessage(message), message);
    return false;
  }
  auto pidText = readFile(dir_ / kPidFile);
  pid_t pid = pidText ? static_cast<pid_t>(std::strtol(pidText->c_str(), nullptr, 10)) : 0;
  init_ = currentProcessId(pid);
  if (pid <= 0 || init_.startTime == 0) {
    failStart("internal", "the runtime reported no container process");
    return false;
  }
  oomFile_ = oomCounterFile(pid);
  oomBefore_ = std::max(0LL, readOomKillCount(oomFile_));
  timings_ += ", create " + lap(t);

  status = runRuntime({"start", request_.id}, -1, -1);
  if (status != 0) {
    std::string message = runtimeFailure("start", status);
    failStart(classifyRuntimeMessage(message), message);
    return false;
  }
  // The CPU limit is left out of config.json so that the runtime's set-up in the container's
  // cgroup (mounts, seccomp, exec) is not throttled by it; it takes effect here, before the
  // container counts as started. A container must never run without the limit it asked for.
  if (request_.cpuQuota) {
    if (std::string error = applyCpuQuota(request_.cgroupsPath, *request_.cpuQuota);
        !error.empty()) {
      failStart("internal",
                "cannot set the cpu quota of container '" + request_.id + "': " + error);
      return false;
    }
  }
  timings_ += ", start " + lap(t);
  StartedRecord started;
  started.process = init_;
  started.startedAt = nowRfc3339Nano();
  started.monitor = currentProcessId(::getpid());
  if (int err = writeFileAtomic(dir_ / kStartedFile, encode(started)); err != 0) {
    failStart("internal", std::string("write started.json: ") + std::strerror(err));
    return false;
  }
  report("ok");
  closeFd(syncFd_);
  // Where a slow start went, for whoever reads monitor.log.
  logLine("started: " + timings_ + ", record " + lap(t));
  return true;
}

void Monitor::failStart(const std::string& code, const std::string& message) {
  logLine("start failed: " + message);
  if (!request_.id.empty()) {
    // Nothing may be left in the runtime (its state, the cgroups) after a failed start.
    runRuntime({"delete", "-f", request_.id}, -1, -1);
    reapChildren();
  }
  writeFileAtomic(dir_ / kErrorFile, encode(ErrorRecord{code, message}));
  report("error " + code + " " + message);
  closeFd(syncFd_);
}

void Monitor::report(const std::string& line) {
  if (syncFd_ < 0) {
    return;
  }
  std::string text = line + "\n";
  (void)!::write(syncFd_, text.data(), text.size());
}

void Monitor::reapChildren() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      return;
    }
    if (pid == init_.pid && !initExited_) {
      initExited_ = true;
      initStatus_ = status;
      finishedAt_ = nowRfc3339Nano();
    }
  }
}

void Monitor::copyOutputUntilExit() {
  ::fcntl(outPipe_[0], F_SETFL, O_NONBLOCK);
  ::fcntl(errPipe_[0], F_SETFL, O_NONBLOCK);
  std::chrono::steady_clock::time_point drainDeadline{};
  std::string buffer(64 * 1024, '\0');
  for (;;) {
    reapChildren();
    if (initExited_ && drainDeadline == std::chrono::steady_clock::time_point{}) {
      drainDeadline = std::chrono::steady_clock::now() + kDrainAfterExit;
    }
    bool pipesOpen = outPipe_[0] >= 0 || errPipe_[0] >= 0;
    if (initExited_ && (!pipesOpen || std::chrono::steady_clock::now() >= drainDeadline)) {
      break;
    }
    pollfd fds[3];
    int n = 0;
    fds[n++] = {signalFd_, POLLIN, 0};
    int outIndex = -1, errIndex = -1;
    if (outPipe_[0] >= 0) {
      outIndex = n;
      fds[n++] = {outPipe_[0], POLLIN, 0};
    }
    if (errPipe_[0] >= 0) {
      errIndex = n;
      fds[n++] = {errPipe_[0], POLLIN, 0};
    }
    int timeout = -1;
    if (initExited_) {
      timeout = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     drainDeadline - std::chrono::steady_clock::now())
                                     .count());
      timeout = std::max(timeout, 0);
    }
    if (::poll(fds, static_cast<nfds_t>(n), timeout) < 0 && errno != EINTR) {
      break;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(signalFd_, &info, sizeof(info)) > 0) {
      }
    }
    for (auto [index, stream] : {std::pair{outIndex, CriLogWriter::Stream::kStdout},
                                 std::pair{errIndex, CriLogWriter::Stream::kStderr}}) {
      if (index < 0 || fds[index].revents == 0) {
        continue;
      }
      int& fd = stream == CriLogWriter::Stream::kStdout ? outPipe_[0] : errPipe_[0];
      ssize_t r = ::read(fd, buffer.data(), buffer.size());
      if (r > 0) {
        if (log_) {
          log_->append(stream, std::string_view(buffer.data(), static_cast<size_t>(r)));
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        closeFd(fd);
        if (log_) {
          log_->finish(stream);
        }
      }
    }
  }
  if (log_) {
    log_->finish(CriLogWriter::Stream::kStdout);
    log_->finish(CriLogWriter::Stream::kStderr);
  }
}

void Monitor::finish() {
  ExitedRecord exited;
  if (WIFSIGNALED(initStatus_)) {
    exited.signal = WTERMSIG(initStatus_);
  }
  exited.exitCode = exitCodeOf(initStatus_);
  // Read before `delete`, which removes the cgroup and with it the counter.
  long long oomAfter = readOomKillCount(oomFile_);
  exited.oomKilled = oomAfter > oomBefore_;
  exited.finishedAt = finishedAt_.empty() ? nowRfc3339Nano() : finishedAt_;
  if (int err = writeFileAtomic(dir_ / kExitedFile, encode(exited)); err != 0) {
    logLine(std::string("write exited.json: ") + std::strerror(err));
  }
  int status = runRuntime({"delete", "-f", request_.id}, -1, -1);
  if (status != 0) {
    logLine("delete: " + runtimeFailure("delete", status));
  }
  reapChildren();
}

}  // namespace berth::runtime
