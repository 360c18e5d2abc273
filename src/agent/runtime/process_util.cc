#include "agent/runtime/process_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace berth::runtime {

pid_t spawnProcess(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) {
    return -EINVAL;
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);

  int stdio[3] = {options.stdinFd, options.stdoutFd, options.stderrFd};
  for (int target = 0; target < 3; ++target) {
    if (stdio[target] < 0) {
      posix_spawn_file_actions_addopen(&actions, target, "/dev/null",
                                       target == 0 ? O_RDONLY : O_WRONLY, 0);
    } else {
      posix_spawn_file_actions_adddup2(&actions, stdio[target], target);
    }
  }
  int next = 3;
  for (int fd : options.extraFds) {
    posix_spawn_file_actions_adddup2(&actions, fd, next++);
  }
  // dup2 clears FD_CLOEXEC on the copies; everything else (the agent's sockets, other
  // containers' pipes) must not leak into long-lived children.
  posix_spawn_file_actions_addclosefrom_np(&actions, next);

  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.newSession) {
    flags |= POSIX_SPAWN_SETSID;
  }
  posix_spawnattr_setflags(&attr, flags);

  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    cargv.push_back(const_cast<char*>(a.c_str()));
  }
  cargv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, cargv[0], &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -rc;
}

ProcStat readProcStat(pid_t pid) {
  ProcStat out;
  if (pid <= 0) {
    return out;
  }
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  auto text = readFile(path);
  if (!text) {
    return out;
  }
  // The command name (field 2) may contain spaces and ')'; fields 3.. follow the last ')'.
  size_t close = text->rfind(')');
  if (close == std::string::npos || close + 2 >= text->size()) {
    return out;
  }
  const char* p = text->c_str() + close + 2;
  out.state = *p;
  // Field 3 is the state; skip to field 22.
  for (int field = 3; field < 22 && *p; ++field) {
    p = std::strchr(p, ' ');
    if (!p) {
      return ProcStat{};
    }
    ++p;
  }
  out.startTime = std::strtoull(p, nullptr, 10);
  return out;
}

ProcessId currentProcessId(pid_t pid) {
  return ProcessId{pid, readProcStat(pid).startTime};
}

bool isRunning(const ProcessId& process) {
  if (process.pid <= 0) {
    return false;
  }
  ProcStat st = readProcStat(process.pid);
  return st.startTime != 0 && st.startTime == process.startTime && st.state != 'Z' &&
         st.state != 'X';
}

int openPidfd(const ProcessId& process) {
  if (process.pid <= 0) {
    return -1;
  }
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, process.pid, 0));
  if (fd < 0) {
    return -1;
  }
  // Checked after opening: the pidfd pins the process, so a matching start time now means the
  // fd refers to the process we meant and not to a later one with a reused pid.
  if (readProcStat(process.pid).startTime != process.startTime) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

bool waitPidfd(int pidfd, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{pidfd, POLLIN, 0};
    int rc = ::poll(&pfd, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
    if (rc > 0) {
      return true;
    }
    if (rc == 0) {
      return false;
    }
    if (errno != EINTR) {
      return false;
    }
  }
}

int pidfdSignal(int pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0) {
    return errno;
  }
  return 0;
}

void reapIfChild(pid_t pid) {
  if (pid > 0) {
    int status = 0;
    ::waitpid(pid, &status, WNOHANG);
  }
}

namespace {

// The whole of a small /proc file; nullopt when it cannot be read (the process is gone).
std::optional<std::string> readProcFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void reapContainerZombies() {
  const std::string self = std::to_string(::getpid());
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    auto stat = readProcFile(entry.path() / "stat");
    if (!stat) {
      continue;
    }
    std::istringstream rest(stat->substr(stat->rfind(')') + 1));
    std::string state, ppid;
    if (!(rest >> state >> ppid) || state != "Z" || ppid != self) {
      continue;
    }
    auto status = readProcFile(entry.path() / "status");
    if (!status) {
      continue;
    }
    // "NSpid:\t<pid in our namespace>\t<pid in the container's>...": more than one field
    // means the process lives in a nested PID namespace.
    size_t at = status->find("\nNSpid:");
    if (at == std::string::npos) {
      continue;
    }
    std::istringstream line(status->substr(at + 7, status->find('\n', at + 1) - at - 7));
    std::vector<std::string> pids{std::istream_iterator<std::string>(line), {}};
    if (pids.size() > 1) {
      reapIfChild(static_cast<pid_t>(std::stol(pid)));
    }
  }
}

int exitCodeOf(int waitStatus) {
  if (WIFEXITED(waitStatus)) {
    return WEXITSTATUS(waitStatus);
  }
  if (WIFSIGNALED(waitStatus)) {
    return 128 + WTERMSIG(waitStatus);
  }
  return 255;
}

}  // namespace berth::runtime
