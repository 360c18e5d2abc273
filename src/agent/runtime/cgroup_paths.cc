#include "agent/runtime/cgroup_paths.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "agent/runtime/monitor_files.h"

namespace berth::runtime {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) {
      return out;
    }
    start = end + 1;
  }
}

bool fileExists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

// Writes `value` with one write(2), as cgroup files want; returns errno or 0.
int writeCgroupFile(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno;
  }
  int err = 0;
  ssize_t n = ::write(fd, value.data(), value.size());
  if (n < 0) {
    err = errno;
  } else if (static_cast<size_t>(n) != value.size()) {
    err = EIO;
  }
  if (::close(fd) != 0 && err == 0) {
    err = errno;
  }
  return err;
}

}  // namespace

std::vector<CgroupMount> parseCgroupMounts(const std::string& mountinfo) {
  std::vector<CgroupMount> out;
  for (const auto& line : split(mountinfo, '\n')) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    auto dash = line.find(" - ");
    if (dash == std::string::npos) {
      continue;
    }
    auto left = split(line.substr(0, dash), ' ');
    auto right = split(line.substr(dash + 3), ' ');
    if (left.size() < 5 || right.size() < 3) {
      continue;
    }
    const std::string& fstype = right[0];
    if (fstype != "cgroup" && fstype != "cgroup2") {
      continue;
    }
    CgroupMount m;
    m.mountPoint = left[4];
    m.v2 = fstype == "cgroup2";
    if (!m.v2) {
      for (const auto& opt : split(right[2], ',')) {
        if (opt != "rw" && opt != "ro" && !opt.starts_with("relatime") && opt != "nosuid" &&
            opt != "nodev" && opt != "noexec" && opt != "clone_children" &&
            !opt.starts_with("release_agent") && opt != "xattr" && opt != "noprefix") {
          m.controllers.push_back(opt);
        }
      }
    }
    bool seen = false;
    for (const auto& existing : out) {
      if (existing.v2 == m.v2 && existing.controllers == m.controllers) {
        seen = true;
      }
    }
    if (!seen) {
      out.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<CgroupMount> cgroupMounts() {
  auto text = readFile("/proc/self/mountinfo");
  return text ? parseCgroupMounts(*text) : std::vector<CgroupMount>{};
}

std::string oomCounterFile(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/cgroup", static_cast<int>(pid));
  auto text = readFile(path);
  if (!text) {
    return {};
  }
  std::string v1Path, v2Path;
  bool haveV2 = false;
  for (const auto& line : split(*text, '\n')) {
    auto fields = split(line, ':');
    if (fields.size() < 3) {
      continue;
    }
    // The path may itself contain ':'; it is everything after the second one.
    std::string cgroup = line.substr(fields[0].size() + fields[1].size() + 2);
    if (fields[0] == "0" && fields[1].empty()) {
      v2Path = cgroup;
      haveV2 = true;
    }
    for (const auto& c : split(fields[1], ',')) {
      if (c == "memory") {
        v1Path = cgroup;
      }
    }
  }
  auto mounts = cgroupMounts();
  if (!v1Path.empty()) {
    for (const auto& m : mounts) {
      for (const auto& c : m.controllers) {
        if (c == "memory") {
          std::string file = m.mountPoint + v1Path + "/memory.oom_control";
          return fileExists(file) ? file : std::string{};
        }
      }
    }
  }
  if (haveV2) {
    for (const auto& m : mounts) {
      if (m.v2) {
        std::string file = m.mountPoint + v2Path + "/memory.events";
        if (fileExists(file)) {
          return file;
        }
      }
    }
  }
  return {};
}

long long readOomKillCount(const std::string& file) {
  if (file.empty()) {
    return -1;
  }
  auto text = readFile(file);
  if (!text) {
    return -1;
  }
  for (const auto& line : split(*text, '\n')) {
    if (line.starts_with("oom_kill ")) {
      return std::strtoll(line.c_str() + 9, nullptr, 10);
    }
  }
  return -1;
}

std::vector<CgroupWrite> cpuQuotaWrites(const std::vector<CgroupMount>& mounts,
                                        const std::string& cgroupsPath, const CpuQuota& quota) {
  if (!cgroupsPath.starts_with("/")) {
    return {};
  }
  for (const auto& m : mounts) {
    for (const auto& c : m.controllers) {
      if (c == "cpu") {
        // The period first: the quota is checked against it (and against the parent's).
        std::string dir = m.mountPoint + cgroupsPath;
        return {{dir + "/cpu.cfs_period_us", std::to_string(quota.periodMicros)},
                {dir + "/cpu.cfs_quota_us", std::to_string(quota.quotaMicros)}};
      }
    }
  }
  for (const auto& m : mounts) {
    if (m.v2) {
      std::string limit = quota.quotaMicros < 0 ? "max" : std::to_string(quota.quotaMicros);
      return {{m.mountPoint + cgroupsPath + "/cpu.max",
               limit + " " + std::to_string(quota.periodMicros)}};
    }
  }
  return {};
}

std::string applyCpuQuota(const std::string& cgroupsPath, const CpuQuota& quota) {
  auto writes = cpuQuotaWrites(cgroupMounts(), cgroupsPath, quota);
  if (writes.empty()) {
    return "no cpu cgroup controller for '" + cgroupsPath + "'";
  }
  for (const auto& w : writes) {
    if (int err = writeCgroupFile(w.file, w.value); err != 0) {
      return "write '" + w.file + "': " + std::strerror(err);
    }
  }
  return {};
}

}  // namespace berth::runtime
