#include "agent/network/namespaces.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

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

// Bind-mounts the calling thread's namespace of `type` onto `target`.
Status bindNamespace(const char* type, const fs::path& target) {
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
  if (fd < 0) {
    return fail(errnoError(errno, fmt::format("create '{}'", target.string())));
  }
  ::close(fd);
  std::string source = fmt::format("/proc/thread-self/ns/{}", type);
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return fail(
        errnoError(errno, fmt::format("bind mount '{}' onto '{}'", source, target.string())));
  }
  return ok();
}

// Runs on a thread of its own, which ends afterwards: unshare(2) of these three namespaces
// affects only the calling thread, so nothing else of the agent moves, and no process is forked
// (a fork of the agent copies its page tables and then takes copy-on-write faults; a thread
// costs neither). Enters new namespaces, sets the hostname and bind-mounts the thread's
// namespaces onto the files (the mount namespace is the agent's).
Status enterAndBind(const NamespaceFiles& files, const std::string& hostname) {
  if (::unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) != 0) {
    return fail(errnoError(errno, "unshare network, ipc and uts namespaces"));
  }
  if (::sethostname(hostname.data(), hostname.size()) != 0) {
    int err = errno;
    return fail(err == EINVAL ? ErrorCode::kInvalidArgument : ErrorCode::kInternal,
                "set hostname '{}': {}", hostname, std::strerror(err));
  }
  for (auto [type, path] :
       {std::pair{"net", &files.net}, std::pair{"ipc", &files.ipc}, std::pair{"uts", &files.uts}}) {
    BERTH_TRY_STATUS(bindNamespace(type, *path));
  }
  return ok();
}

Status enterAndBindOnThread(const NamespaceFiles& files, const std::string& hostname) {
  Status result = ok();
  try {
    std::thread([&] { result = enterAndBind(files, hostname); }).join();
  } catch (const std::system_error& e) {
    return fail(ErrorCode::kInternal, "start namespace thread: {}", e.what());
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
    made = enterAndBindOnThread(files, hostname);
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
