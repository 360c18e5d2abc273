#pragma once

// The node's resource usage for `GET /stats/summary` on the node endpoint: a subset of the
// kubelet's Summary API (field names as there), scraped by the API server's metrics cache.
//
//   {"node":{"nodeName","startTime","cpu":{"time","usageCoreNanoSeconds"},
//            "memory":{"time","workingSetBytes","usageBytes","availableBytes"}},
//    "pods":[{"podRef":{"name","namespace","uid"},"startTime",
//             "containers":[{"name","startTime","cpu":{...},"memory":{"time",
//                            "workingSetBytes","usageBytes"}}],
//             "cpu":{...sum...},"memory":{...sum...}}]}
//
// CPU is cumulative (nanoseconds of CPU time). Containers: the cgroup "/berth/<runtime id>"
// of each running container: cgroup v1 cpuacct.usage, memory.usage_in_bytes and
// memory.stat total_inactive_file; cgroup v2 cpu.stat usage_usec, memory.current and
// memory.stat inactive_file (v1 controllers are preferred where both exist, as on hybrid
// hosts). workingSetBytes = usage - inactive_file (not below 0). The node: /proc/stat and
// /proc/meminfo. Running containers only; a pod without one is left out.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/runtime/cgroup_paths.h"
#include "api/pod.h"
#include "base/clock.h"
#include "base/error.h"

namespace berth::agent {

struct CgroupUsage {
  uint64_t cpuNanos = 0;
  uint64_t memoryUsage = 0;
  uint64_t workingSet = 0;
};

// Usage of the cgroup `path` ("/berth/<id>") under `mounts` (runtime::cgroupMounts() on a real
// host, a temp tree in tests). kNotFound when neither a CPU nor a memory figure is found.
Result<CgroupUsage> readCgroupUsage(const std::vector<runtime::CgroupMount>& mounts,
                                    const std::string& path);

struct NodeUsage {
  uint64_t cpuNanos = 0;  // all CPUs, everything but idle and iowait
  uint64_t memoryUsage = 0;
  uint64_t workingSet = 0;
  uint64_t available = 0;
  int64_t bootTime = 0;  // seconds since the epoch (btime)
};

// From the texts of /proc/stat and /proc/meminfo. kInvalidArgument if they cannot be parsed.
Result<NodeUsage> parseNodeUsage(const std::string& procStat, const std::string& meminfo);

// Where the figures come from; the defaults read this host.
struct StatsSources {
  std::string nodeName;
  std::filesystem::path procDir = "/proc";
  std::vector<runtime::CgroupMount> mounts;  // empty: runtime::cgroupMounts()
};

// The Summary JSON for `pods` (as the sync loop shows them: container ids "berth://<id>",
// running states with startedAt) at time `now`.
Result<nlohmann::json> buildStatsSummary(const std::vector<api::Pod>& pods,
                                         const StatsSources& sources, Clock::WallTime now);

// Gives the summary to the node endpoint.
using StatsProvider = std::function<Result<nlohmann::json>()>;

}  // namespace berth::agent
