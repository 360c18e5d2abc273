#include "agent/network/namespaces.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/files.h"

namespace berth::network {
namespace {

namespace fs = std::filesystem;

// Unmounts everything stacked on `path` (a crash may have mounted twice). Lazy, so a process
// that still has the namespace open or is inside the directory does not block the teardown.
Status unmountAll(const fs::path& path) {
  for (int i = 0; i < 64; ++i) {
    if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0) {
      if (errno == EINVAL || errno == ENOENT) {
        return ok();
      }
      return fail(errnoError(errno, fmt::format("unmount '{}'", path.string())));
    }
  }
  return fail(ErrorCode::kInternal, "unmount '{}': still mounted after 64 unmounts", path.string());
}

bool isMountRoot(const fs::path& path) {
  struct statx st {};
  if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) != 0) {
    return false;
  }
  return (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
         (st.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

// Makes `dir` a mount of its own with private propagation (once; a retry finds it done).
Status makePrivateMount(const fs::path& dir) {
  if (!isMountRoot(dir) && ::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return fail(errnoError(errno, fmt::format("bind mount '{}' onto itself", dir.string())));
  }
  if (::mount(nullptr, dir.c_str(), nullptr, MS_PRIVATE, nullptr) != 0) {
    return fail(errnoError(errno, fmt::format("make '{}' private", dir.string())));
  }
  return ok();
}

Status bindNamespace(pid_t pid, const char* type, const fs::path& target) {
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
  if (fd < 0) {
    return fail(errnoError(errno, fmt::format("create '{}'", target.string())));
  }
  ::close(fd);
  std::string source = fmt::format("/proc/{}/ns/{}", pid, type);
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return fail(
        errnoError(errno, fmt::format("bind mount '{}' onto '{}'", source, target.string())));
  }
  return ok();
}

// Forks a child that enters new namespaces and sets the hostname, mounts its namespaces onto
// the files, then kills it. The child makes only async-signal-safe calls (the agent has
// threads).
Status spawnAndBind(const NamespaceFiles& files, const std::string& hostname) {
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    return fail(errnoError(errno, "pipe"));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(ready[0]);
    ::close(ready[1]);
    return fail(errnoError(err, "fork"));
  }
  if (pid == 0) {
    ::close(ready[0]);
    int status = 0;
    if (::unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) != 0) {
      status = errno;
    } else if (::sethostname(hostname.data(), hostname.size()) != 0) {
      status = errno | 0x10000;  // tells the parent which call failed
    }
    (void)!::write(ready[1], &status, sizeof status);
    for (;;) {
      ::pause();  // until the parent kills us
    }
  }
  ::close(ready[1]);
  int status = -1;
  ssize_t n;
  do {
    n = ::read(ready[0], &status, sizeof status);
  } while (n < 0 && errno == EINTR);
  ::close(ready[0]);

  Status result = ok();
  if (n != sizeof status) {
    result = fail(ErrorCode::kInternal, "namespace helper process exited early");
  } else if (status & 0x10000) {
    int err = status & 0xffff;
    result = fail(err == EINVAL ? ErrorCode::kInvalidArgument : ErrorCode::kInternal,
                  "set hostname '{}': {}", hostname, std::strerror(err));
  } else if (status != 0) {
    result = fail(errnoError(status, "unshare network, ipc and uts namespaces"));
  } else {
    for (auto [type, path] : {std::pair{"net", &files.net}, std::pair{"ipc", &files.ipc},
                              std::pair{"uts", &files.uts}}) {
      if (result = bindNamespace(pid, type, *path); !result) {
        break;
      }
    }
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  return result;
}

}  // namespace

NamespaceFiles namespaceFiles(const fs::path& nsDir) {
  return {nsDir / "net", nsDir / "ipc", nsDir / "uts"};
}

bool isNamespaceFile(const fs::path& file) {
  struct statfs st {};
  return ::statfs(file.c_str(), &st) == 0 && st.f_type == NSFS_MAGIC;
}

Result<NamespaceFiles> createNamespaces(const fs::path& nsDir, const std::string& hostname) {
  NamespaceFiles files = namespaceFiles(nsDir);
  if (isNamespaceFile(files.net)) {
    return fail(ErrorCode::kAlreadyExists, "namespaces in '{}' already exist", nsDir.string());
  }
  if (hostname.empty() || hostname.size() > 64) {
    return fail(ErrorCode::kInvalidArgument, "hostname '{}' must have 1 to 64 characters",
                hostname);
  }
  BERTH_TRY_STATUS(files::makeDirs(nsDir));
  // Leftovers of an interrupted attempt (files mounted with a dead sandbox's namespaces).
  for (const auto* path : {&files.net, &files.ipc, &files.uts}) {
    BERTH_TRY_STATUS(unmountAll(*path));
  }
  Status made = makePrivateMount(nsDir);
  if (made) {
    made = spawnAndBind(files, hostname);
  }
  if (!made) {
    (void)removeNamespaces(nsDir);
    return fail(
        std::move(made.error()).wrap(fmt::format("create namespaces in '{}'", nsDir.string())));
  }
  return files;
}

Status removeNamespaces(const fs::path& nsDir) {
  NamespaceFiles files = namespaceFiles(nsDir);
  for (const auto* path : {&files.net, &files.ipc, &files.uts}) {
    BERTH_TRY_STATUS(unmountAll(*path));
  }
  BERTH_TRY_STATUS(unmountAll(nsDir));
  return files::removeAll(nsDir);
}

}  // namespace berth::network
