#include "agent/runtime/cgroups.h"

#include <fcntl.h>
#include <fmt/ranges.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "agent/runtime/cgroup_paths.h"
#include "agent/runtime/runtime.h"
#include "base/files.h"

namespace berth::runtime {
namespace {

constexpr const char* kPrepareLock = "/run/berth-cgroups.lock";

std::vector<std::string> splitWords(const std::string& s) {
  std::vector<std::string> out;
  std::string word;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t') {
      if (!word.empty()) {
        out.push_back(word);
      }
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) {
    out.push_back(word);
  }
  return out;
}

// Controllers enabled on the cgroup2 mount of a hybrid host; empty on v1-only or pure-v2 hosts.
Result<std::pair<std::string, std::vector<std::string>>> hybridControllers() {
  for (const auto& m : cgroupMounts()) {
    if (!m.v2) {
      continue;
    }
    // Pure cgroup v2 (mounted at /sys/fs/cgroup itself) is what crun expects: nothing to fix.
    bool hybrid = false;
    for (const auto& other : cgroupMounts()) {
      hybrid = hybrid || !other.v2;
    }
    if (!hybrid) {
      return std::pair{m.mountPoint, std::vector<std::string>{}};
    }
    auto text = files::read(m.mountPoint + "/cgroup.controllers");
    if (!text) {
      return fail(std::move(text.error()));
    }
    return std::pair{m.mountPoint, splitWords(*text)};
  }
  return std::pair{std::string{}, std::vector<std::string>{}};
}

class FileLock {
 public:
  explicit FileLock(const char* path) : fd_(::open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~FileLock() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

 private:
  int fd_;
};

}  // namespace

Status prepareCgroups() {
  BERTH_ASSIGN_OR_RETURN(auto found, hybridControllers());
  if (found.second.empty()) {
    return ok();
  }
  // Agents (and test binaries) may run this at the same time; mounting a hierarchy twice
  // would stack mounts, so the check and the mounts happen under a host-wide lock.
  FileLock lock(kPrepareLock);
  BERTH_ASSIGN_OR_RETURN(found, hybridControllers());
  auto [unified, controllers] = found;
  std::string base = std::filesystem::path(unified).parent_path().string();
  for (const auto& controller : controllers) {
    std::string target = base + "/" + controller;
    if (::mkdir(target.c_str(), 0755) != 0 && errno != EEXIST) {
      return fail(errnoError(errno, fmt::format("mkdir '{}'", target)));
    }
    // Binding the controller to a v1 hierarchy takes it off cgroup2 (host.md §3, fix A).
    if (::mount("cgroup", target.c_str(), "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                controller.c_str()) != 0 &&
        errno != EBUSY) {
      return fail(
          errnoError(errno, fmt::format("mount cgroup v1 '{}' at '{}'", controller, target)));
    }
  }
  BERTH_ASSIGN_OR_RETURN(found, hybridControllers());
  if (!found.second.empty()) {
    return fail(ErrorCode::kInternal,
                "cgroup2 at '{}' still has controllers '{}': crun cannot run on this hybrid host",
                unified, fmt::join(found.second, " "));
  }
  return ok();
}

Status removeCgroupDirs(const std::string& cgroupsPath) {
  if (cgroupsPath.empty() || cgroupsPath == "/" || cgroupsPath.find("..") != std::string::npos) {
    return ok();
  }
  std::string rel = cgroupsPath.starts_with("/") ? cgroupsPath : "/" + cgroupsPath;
  for (const auto& m : cgroupMounts()) {
    std::string dir = m.mountPoint + rel;
    for (int attempt = 0;; ++attempt) {
      if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) {
        break;
      }
      if (errno != EBUSY || attempt >= 100) {
        return fail(errnoError(errno, fmt::format("remove cgroup '{}'", dir)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return ok();
}

bool cgroupExists(const std::string& cgroupsPath) {
  std::string rel = cgroupsPath.starts_with("/") ? cgroupsPath : "/" + cgroupsPath;
  for (const auto& m : cgroupMounts()) {
    if (files::exists(m.mountPoint + rel)) {
      return true;
    }
  }
  return false;
}

}  // namespace berth::runtime
