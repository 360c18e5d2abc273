#pragma once

// Process helpers shared by the agent side and berth-monitor (standard library and libc only).

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "agent/runtime/monitor_files.h"

namespace berth::runtime {

struct SpawnOptions {
  int stdinFd = -1;   // -1: /dev/null
  int stdoutFd = -1;  // -1: /dev/null
  int stderrFd = -1;  // -1: /dev/null
  // Passed to the child as fds 3, 4, ... in this order. Every other fd is closed in the child.
  std::vector<int> extraFds;
  bool newSession = false;  // setsid(): detached from the caller's session and process group
};

// Starts argv[0] (looked up in PATH when it has no '/') with the given stdio, default signal
// dispositions and an empty signal mask. Returns the pid, or -errno (e.g. -ENOENT when the
// program does not exist). Thread-safe; the child inherits no other descriptor.
pid_t spawnProcess(const std::vector<std::string>& argv, const SpawnOptions& options);

// Start time (field 22 of /proc/PID/stat) and state letter of a process; startTime 0 when the
// process does not exist.
struct ProcStat {
  unsigned long long startTime = 0;
  char state = 0;  // 'R', 'S', 'Z', ...
};
ProcStat readProcStat(pid_t pid);

// The running process `pid` with its start time, or startTime 0.
ProcessId currentProcessId(pid_t pid);

// True if the process exists with the same start time and is not a zombie.
bool isRunning(const ProcessId& process);

// A pidfd for the process if it is still the one identified (same start time); -1 otherwise.
int openPidfd(const ProcessId& process);

// Waits until the process behind `pidfd` has exited (zombie or reaped). False on timeout.
bool waitPidfd(int pidfd, std::chrono::milliseconds timeout);

// Sends `sig` through a pidfd (race-free against pid reuse). Returns 0 or errno.
int pidfdSignal(int pidfd, int sig);

// Reaps `pid` if it is an exited child of this process; harmless otherwise.
void reapIfChild(pid_t pid);

// Reaps the exited children of this process that live in another PID namespace. `crun exec`
// makes the process it puts into a container a sibling of itself (CLONE_PARENT), so when that
// process fails before it runs (executable not found) it is left a zombie child of ours, and a
// zombie in a container's PID namespace keeps the namespace's init from ever finishing its
// exit. Children in our own namespace (the runtime commands others wait for) are not touched.
void reapContainerZombies();

// Exit code for a wait status: the exit status, or 128 + signal.
int exitCodeOf(int waitStatus);

}  // namespace berth::runtime
