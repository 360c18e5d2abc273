#pragma once

// Running other programs (crun, CNI plugins, mount helpers) and waiting for them.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::process {

struct Options {
  // Extra environment on top of (or instead of) the caller's.
  std::map<std::string, std::string> env;
  bool inheritEnv = true;
  // Written to the child's stdin, which is then closed. Without it stdin is /dev/null.
  std::optional<std::string> input;
  // Without capture, stdout/stderr go to /dev/null (never a pipe that a daemonising child
  // could inherit and hold open; see host.md §3).
  bool captureOutput = true;
  std::string workingDir;
  // The child is killed with SIGKILL after this long; zero means no limit.
  std::chrono::milliseconds timeout{0};
};

struct Outcome {
  int exitCode = -1;  // valid when signal == 0
  int signal = 0;     // the signal that ended the child, or 0
  std::string out;
  std::string err;

  bool succeeded() const { return signal == 0 && exitCode == 0; }
  // "exit status 3: <first line of stderr>" for error messages.
  std::string describe() const;
};

// Runs argv[0] (looked up in PATH when it has no '/') to completion. An Error only when the
// program could not be started or timed out; a non-zero exit is an Outcome.
Result<Outcome> run(const std::vector<std::string>& argv, const Options& options = {});

// Runs and turns a non-zero exit into an Error naming the program and its stderr.
Result<Outcome> runChecked(const std::vector<std::string>& argv, const Options& options = {});

// Makes this process the reaper of orphaned descendants (container inits, see host.md §3).
void becomeSubreaper();

// True if a process with this pid exists (it may be a zombie).
bool alive(pid_t pid);

// Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat); 0 when the
// process is gone. Pid + start time identify a process even after pid reuse.
unsigned long long startTime(pid_t pid);

// Finds `name` in PATH; empty when not found.
std::string which(const std::string& name);

}  // namespace berth::process
