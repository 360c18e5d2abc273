#include "base/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "base/files.h"

extern char** environ;

namespace berth::process {
namespace {

using Clock = std::chrono::steady_clock;

void closePair(int fds[2]) {
  for (int i = 0; i < 2; ++i) {
    if (fds[i] >= 0) {
      ::close(fds[i]);
      fds[i] = -1;
    }
  }
}

std::vector<std::string> buildEnv(const Options& options) {
  std::map<std::string, std::string> merged;
  if (options.inheritEnv) {
    for (char** e = environ; e && *e; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq != std::string::npos) {
        merged[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    }
  }
  for (const auto& [k, v] : options.env) {
    merged[k] = v;
  }
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [k, v] : merged) {
    out.push_back(k + "=" + v);
  }
  return out;
}

}  // namespace

std::string Outcome::describe() const {
  std::string first = err.empty() ? out : err;
  while (!first.empty() && (first.back() == '\n' || first.back() == ' ')) {
    first.pop_back();
  }
  std::string status = signal != 0 ? fmt::format("killed by signal {}", signal)
                                   : fmt::format("exit status {}", exitCode);
  return first.empty() ? status : fmt::format("{}: {}", status, first);
}

Result<Outcome> run(const std::vector<std::string>& argv, const Options& options) {
  if (argv.empty()) {
    return fail(ErrorCode::kInvalidArgument, "empty command");
  }
  int inPipe[2] = {-1, -1}, outPipe[2] = {-1, -1}, errPipe[2] = {-1, -1};
  if ((options.input && ::pipe2(inPipe, O_CLOEXEC) != 0) ||
      (options.captureOutput &&
       (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0))) {
    int err = errno;
    closePair(inPipe);
    closePair(outPipe);
    closePair(errPipe);
    return fail(errnoError(err, "pipe"));
  }
  std::vector<std::string> envStrings = buildEnv(options);
  std::vector<char*> envp;
  for (auto& s : envStrings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& s : args) {
    cargv.push_back(s.data());
  }
  cargv.push_back(nullptr);
  std::string path = argv[0].find('/') == std::string::npos ? which(argv[0]) : argv[0];
  if (path.empty()) {
    closePair(inPipe);
    closePair(outPipe);
    closePair(errPipe);
    return fail(ErrorCode::kNotFound, "executable '{}' not found in PATH", argv[0]);
  }

  // posix_spawn (clone with CLONE_VM|CLONE_VFORK in glibc) instead of fork: a fork of a large,
  // multi-threaded agent copies its page tables and makes every later write of the parent a
  // copy-on-write fault with TLB shoot-downs, which cost more CPU than the CNI plugins it runs.
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  int stdio[3] = {options.input ? inPipe[0] : -1, options.captureOutput ? outPipe[1] : -1,
                  options.captureOutput ? errPipe[1] : -1};
  for (int target = 0; target < 3; ++target) {
    if (stdio[target] >= 0) {
      posix_spawn_file_actions_adddup2(&actions, stdio[target], target);
    } else {
      posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_RDWR, 0);
    }
  }
  if (!options.workingDir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.workingDir.c_str());
  }
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int spawnErr = ::posix_spawn(&pid, path.c_str(), &actions, &attr, cargv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawnErr != 0) {
    closePair(inPipe);
    closePair(outPipe);
    closePair(errPipe);
    return fail(errnoError(spawnErr, fmt::format("start '{}'", path)));
  }

  if (inPipe[0] >= 0) {
    ::close(inPipe[0]);
    inPipe[0] = -1;
  }
  if (outPipe[1] >= 0) {
    ::close(outPipe[1]);
    outPipe[1] = -1;
  }
  if (errPipe[1] >= 0) {
    ::close(errPipe[1]);
    errPipe[1] = -1;
  }

  Outcome outcome;
  std::string_view pendingInput = options.input ? std::string_view(*options.input) : "";
  if (inPipe[1] >= 0) {
    ::fcntl(inPipe[1], F_SETFL, O_NONBLOCK);
    if (pendingInput.empty()) {
      ::close(inPipe[1]);
      inPipe[1] = -1;
    }
  }
  auto deadline = Clock::now() + options.timeout;
  bool timedOut = false;
  while (outPipe[0] >= 0 || errPipe[0] >= 0 || inPipe[1] >= 0) {
    pollfd fds[3];
    int n = 0;
    int* owners[3];
    if (outPipe[0] >= 0) {
      fds[n] = {outPipe[0], POLLIN, 0};
      owners[n++] = &outPipe[0];
    }
    if (errPipe[0] >= 0) {
      fds[n] = {errPipe[0], POLLIN, 0};
      owners[n++] = &errPipe[0];
    }
    if (inPipe[1] >= 0) {
      fds[n] = {inPipe[1], POLLOUT, 0};
      owners[n++] = &inPipe[1];
    }
    int waitMs = -1;
    if (options.timeout.count() > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        timedOut = true;
        break;
      }
      waitMs = static_cast<int>(left.count());
    }
    int rc = ::poll(fds, static_cast<nfds_t>(n), waitMs);
    if (rc < 0 && errno == EINTR) {
      continue;
    }
    if (rc < 0) {
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      int* fd = owners[i];
      if (fd == &inPipe[1]) {
        ssize_t w = ::write(*fd, pendingInput.data(), pendingInput.size());
        if (w > 0) {
          pendingInput.remove_prefix(static_cast<size_t>(w));
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
          pendingInput = {};
        }
        if (pendingInput.empty()) {
          ::close(*fd);
          *fd = -1;
        }
        continue;
      }
      char buf[16384];
      ssize_t r = ::read(*fd, buf, sizeof(buf));
      if (r > 0) {
        (fd == &outPipe[0] ? outcome.out : outcome.err).append(buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(*fd);
        *fd = -1;
      }
    }
  }
  closePair(inPipe);
  closePair(outPipe);
  closePair(errPipe);
  if (timedOut) {
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timedOut) {
    return fail(ErrorCode::kDeadlineExceeded, "'{}' did not finish within {} ms", argv[0],
                options.timeout.count());
  }
  if (WIFEXITED(status)) {
    outcome.exitCode = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

Result<Outcome> runChecked(const std::vector<std::string>& argv, const Options& options) {
  BERTH_ASSIGN_OR_RETURN(Outcome outcome, run(argv, options));
  if (!outcome.succeeded()) {
    std::string cmd = argv[0];
    if (argv.size() > 1) {
      cmd += " " + argv[1];
    }
    return fail(ErrorCode::kInternal, "'{}': {}", cmd, outcome.describe());
  }
  return outcome;
}

void becomeSubreaper() {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

bool alive(pid_t pid) {
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

unsigned long long startTime(pid_t pid) {
  auto stat = files::read(fmt::format("/proc/{}/stat", pid));
  if (!stat) {
    return 0;
  }
  // The command name (field 2) may contain spaces; fields after it follow the last ')'.
  auto close = stat->rfind(')');
  if (close == std::string::npos) {
    return 0;
  }
  std::istringstream rest(stat->substr(close + 2));
  std::string field;
  // After ')' come fields 3..; starttime is field 22, i.e. the 20th token here.
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) {
      return std::stoull(field);
    }
  }
  return 0;
}

std::string which(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::istringstream in(dirs);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return {};
}

}  // namespace berth::process
