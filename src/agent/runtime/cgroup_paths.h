#pragma once

// Where a process's cgroups live on this host (cgroup v1, v2 or the hybrid of both), read from
// /proc/self/mountinfo and /proc/PID/cgroup. Standard library only (used by berth-monitor).

#include <sys/types.h>

#include <cstdint>
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

// The CFS period of every CPU limit (the OCI default, as Kubernetes uses it).
inline constexpr int64_t kCfsPeriodMicros = 100000;

// A CFS bandwidth limit: `quotaMicros` of CPU time per `periodMicros` (-1: no limit).
struct CpuQuota {
  int64_t quotaMicros = -1;
  int64_t periodMicros = kCfsPeriodMicros;
  bool operator==(const CpuQuota&) const = default;
};

// One value written into one cgroup file.
struct CgroupWrite {
  std::string file;
  std::string value;
  bool operator==(const CgroupWrite&) const = default;
};

// The writes that put `quota` on the cgroup `cgroupsPath` (absolute, as in config.json; taken
// from each hierarchy's root, as crun and runc do with the cgroupfs manager), in order: with a
// v1 hierarchy holding the "cpu" controller, cpu.cfs_period_us then cpu.cfs_quota_us; else on
// cgroup2, cpu.max "<quota|max> <period>". Empty when there is no cpu controller to write or
// `cgroupsPath` is not absolute.
std::vector<CgroupWrite> cpuQuotaWrites(const std::vector<CgroupMount>& mounts,
                                        const std::string& cgroupsPath, const CpuQuota& quota);

// Applies cpuQuotaWrites() on this host's mounts, writing the files directly. Returns "" on
// success, else what failed: "write '/sys/fs/cgroup/cpu/x/cpu.cfs_quota_us': Invalid argument".
// The cgroup must exist (it is not created).
std::string applyCpuQuota(const std::string& cgroupsPath, const CpuQuota& quota);

}  // namespace berth::runtime
