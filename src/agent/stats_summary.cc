#include "agent/stats_summary.h"

#include <charconv>
#include <sstream>

#include "base/files.h"

namespace berth::agent {
namespace {

namespace fs = std::filesystem;

std::optional<uint64_t> parseNumber(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

std::optional<uint64_t> readNumber(const fs::path& file) {
  auto text = files::read(file);
  return text ? parseNumber(*text) : std::nullopt;
}

// The value of `key` in a "key value" file (memory.stat, cpu.stat).
std::optional<uint64_t> readKeyed(const fs::path& file, const std::string& key) {
  auto text = files::read(file);
  if (!text) {
    return std::nullopt;
  }
  std::istringstream in(*text);
  std::string k;
  uint64_t v = 0;
  while (in >> k >> v) {
    if (k == key) {
      return v;
    }
  }
  return std::nullopt;
}

bool hasController(const runtime::CgroupMount& m, const std::string& controller) {
  for (const auto& c : m.controllers) {
    if (c == controller) {
      return true;
    }
  }
  return false;
}

uint64_t workingSet(uint64_t usage, uint64_t inactiveFile) {
  return usage > inactiveFile ? usage - inactiveFile : 0;
}

nlohmann::json cpuJson(const std::string& time, uint64_t nanos) {
  return {{"time", time}, {"usageCoreNanoSeconds", nanos}};
}

nlohmann::json memoryJson(const std::string& time, uint64_t workingSet, uint64_t usage) {
  return {{"time", time}, {"workingSetBytes", workingSet}, {"usageBytes", usage}};
}

}  // namespace

Result<CgroupUsage> readCgroupUsage(const std::vector<runtime::CgroupMount>& mounts,
                                    const std::string& path) {
  std::optional<uint64_t> cpu, memory, inactive;
  // cgroup v1 first: on hybrid hosts the controllers are there and cgroup2 only holds names.
  for (const auto& m : mounts) {
    if (m.v2) {
      continue;
    }
    fs::path dir = fs::path(m.mountPoint + path);
    if (!cpu && hasController(m, "cpuacct")) {
      cpu = readNumber(dir / "cpuacct.usage");
    }
    if (!memory && hasController(m, "memory")) {
      memory = readNumber(dir / "memory.usage_in_bytes");
      inactive = readKeyed(dir / "memory.stat", "total_inactive_file");
    }
  }
  for (const auto& m : mounts) {
    if (!m.v2) {
      continue;
    }
    fs::path dir = fs::path(m.mountPoint + path);
    if (!cpu) {
      if (auto usec = readKeyed(dir / "cpu.stat", "usage_usec")) {
        cpu = *usec * 1000;
      }
    }
    if (!memory) {
      memory = readNumber(dir / "memory.current");
      inactive = readKeyed(dir / "memory.stat", "inactive_file");
    }
  }
  if (!cpu && !memory) {
    return fail(ErrorCode::kNotFound, "no cgroup statistics for '{}'", path);
  }
  CgroupUsage usage;
  usage.cpuNanos = cpu.value_or(0);
  usage.memoryUsage = memory.value_or(0);
  usage.workingSet = workingSet(usage.memoryUsage, inactive.value_or(0));
  return usage;
}

Result<NodeUsage> parseNodeUsage(const std::string& procStat, const std::string& meminfo) {
  NodeUsage node;
  std::istringstream stat(procStat);
  std::string line;
  bool cpuSeen = false;
  while (std::getline(stat, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "cpu") {
      // user nice system idle iowait irq softirq steal guest guest_nice, in USER_HZ (1/100 s);
      // guest time is already part of user time.
      uint64_t v[8] = {};
      for (auto& x : v) {
        fields >> x;
      }
      uint64_t busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
      node.cpuNanos = busy * 10'000'000ULL;
      cpuSeen = true;
    } else if (key == "btime") {
      fields >> node.bootTime;
    }
  }
  std::optional<uint64_t> total, free, inactiveFile;
  std::istringstream mem(meminfo);
  while (std::getline(mem, line)) {
    std::istringstream fields(line);
    std::string key;
    uint64_t kb = 0;
    fields >> key >> kb;
    if (key == "MemTotal:") {
      total = kb * 1024;
    } else if (key == "MemFree:") {
      free = kb * 1024;
    } else if (key == "Inactive(file):") {
      inactiveFile = kb * 1024;
    }
  }
  if (!cpuSeen || !total || !free) {
    return fail(ErrorCode::kInvalidArgument, "cannot parse /proc/stat and /proc/meminfo");
  }
  // As the kubelet derives them for the node: usage, working set without inactive file pages,
  // available = capacity - working set.
  node.memoryUsage = *total - std::min(*total, *free);
  node.workingSet = workingSet(node.memoryUsage, inactiveFile.value_or(0));
  node.available = *total - node.workingSet;
  return node;
}

Result<nlohmann::json> buildStatsSummary(const std::vector<api::Pod>& pods,
                                         const StatsSources& sources, Clock::WallTime now) {
  const std::string time = rfc3339(now);
  BERTH_ASSIGN_OR_RETURN(auto procStat, files::read(sources.procDir / "stat"));
  BERTH_ASSIGN_OR_RETURN(auto meminfo, files::read(sources.procDir / "meminfo"));
  BERTH_ASSIGN_OR_RETURN(auto node, parseNodeUsage(procStat, meminfo));
  const auto mounts = sources.mounts.empty() ? runtime::cgroupMounts() : sources.mounts;

  nlohmann::json out;
  out["node"] = {
      {"nodeName", sources.nodeName},
      {"startTime", rfc3339(Clock::WallTime(std::chrono::seconds(node.bootTime)))},
      {"cpu", cpuJson(time, node.cpuNanos)},
      {"memory",
       {{"time", time},
        {"workingSetBytes", node.workingSet},
        {"usageBytes", node.memoryUsage},
        {"availableBytes", node.available}}},
  };
  out["pods"] = nlohmann::json::array();
  for (const auto& pod : pods) {
    nlohmann::json containers = nlohmann::json::array();
    CgroupUsage total;
    for (const auto& cs : pod.status.containerStatuses) {
      if (!cs.state.running || cs.containerID.rfind("berth://", 0) != 0) {
        continue;
      }
      auto usage = readCgroupUsage(mounts, "/berth/" + cs.containerID.substr(8));
      if (!usage) {
        continue;  // it ended meanwhile
      }
      total.cpuNanos += usage->cpuNanos;
      total.memoryUsage += usage->memoryUsage;
      total.workingSet += usage->workingSet;
      containers.push_back({
          {"name", cs.name},
          {"startTime", cs.state.running->startedAt},
          {"cpu", cpuJson(time, usage->cpuNanos)},
          {"memory", memoryJson(time, usage->workingSet, usage->memoryUsage)},
      });
    }
    if (containers.empty()) {
      continue;
    }
    out["pods"].push_back({
        {"podRef",
         {{"name", pod.metadata.name},
          {"namespace", pod.metadata.namespace_},
          {"uid", pod.metadata.uid}}},
        {"startTime", pod.status.startTime},
        {"containers", std::move(containers)},
        {"cpu", cpuJson(time, total.cpuNanos)},
        {"memory", memoryJson(time, total.workingSet, total.memoryUsage)},
    });
  }
  return out;
}

}  // namespace berth::agent
