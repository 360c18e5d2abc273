#pragma once

// Where a process's cgroups live on this host (cgroup v1, v2 or the hybrid of both), read from
// /proc/self/mountinfo and /proc/PID/cgroup. Standard library only (used by berth-monitor).

#include <sys/types.h>

#include <string>
#include <vector>

namespace berth::runtime {

struct CgroupMount {
  std::string mountPoint;                // /sys/fs/cgroup/memory
  bool v2 = false;                       // cgroup2 (unified) rather than a v1 hierarchy
  std::vector<std::string> controllers;  // v1: from the mount options ("memory", "name=systemd")
};

// Cgroup mounts from a mountinfo text (/proc/self/mountinfo); the first mount of each hierarchy.
std::vector<CgroupMount> parseCgroupMounts(const std::string& mountinfo);
std::vector<CgroupMount> cgroupMounts();

// The file that counts OOM kills of `pid`'s memory cgroup: v1 memory.oom_control ("oom_kill N")
// or cgroup2 memory.events ("oom_kill N"). Empty when it cannot be found.
std::string oomCounterFile(pid_t pid);

// The "oom_kill N" value of such a file; -1 when unreadable.
long long readOomKillCount(const std::string& file);

}  // namespace berth::runtime
