#include "agent/image/snapshot.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/files.h"

namespace berth::image {
namespace {

namespace fs = std::filesystem;

// The kernel copies mount options into one page; longer lowerdir lists cannot be mounted with
// mount(2). About 40 layers fit with the store's path lengths, far above what images here use.
constexpr size_t kMaxOptionsLength = 4095;

}  // namespace

Result<fs::path> mountRootfs(const fs::path& dir, const std::vector<fs::path>& lowerDirs) {
  fs::path rootfs = dir / "rootfs";
  fs::path upper = dir / "upper";
  fs::path work = dir / "work";
  fs::path empty = dir / "empty";
  for (const auto& d : {rootfs, upper, work}) {
    BERTH_TRY_STATUS(files::makeDirs(d));
  }
  std::string lower;
  for (const auto& l : lowerDirs) {
    // ':' separates lower dirs and ',' options; the store's own paths never contain them.
    if (l.string().find_first_of(":,") != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument, "layer path '{}' contains ':' or ','", l.string());
    }
    lower += (lower.empty() ? "" : ":") + l.string();
  }
  if (lower.empty()) {
    // An image without layers: overlay still needs one lower dir.
    BERTH_TRY_STATUS(files::makeDirs(empty));
    lower = empty.string();
  }
  std::string options =
      fmt::format("lowerdir={},upperdir={},workdir={}", lower, upper.string(), work.string());
  if (options.size() > kMaxOptionsLength) {
    return fail(ErrorCode::kResourceExhausted,
                "mount rootfs '{}': {} layers exceed the overlay mount option limit of one page",
                rootfs.string(), lowerDirs.size());
  }
  if (::mount("overlay", rootfs.c_str(), "overlay", 0, options.c_str()) != 0) {
    return fail(errnoError(errno, fmt::format("mount overlay at '{}'", rootfs.string())));
  }
  return rootfs;
}

Status unmountRootfs(const fs::path& dir) {
  fs::path rootfs = dir / "rootfs";
  // Unmount until nothing is mounted there (EINVAL: not a mount point; ENOENT: no such path).
  for (int i = 0;; i++) {
    if (i == 16) {
      return fail(ErrorCode::kInternal, "unmount '{}': still mounted after {} unmounts",
                  rootfs.string(), i);
    }
    if (::umount2(rootfs.c_str(), UMOUNT_NOFOLLOW) == 0) {
      continue;
    }
    if (errno == EINVAL || errno == ENOENT) {
      break;  // removing `dir` below can no longer reach into a mounted file system
    }
    if (errno == EBUSY) {
      // Something still has it open (a dying container process): detach it now, the kernel
      // frees it when the last user goes.
      if (::umount2(rootfs.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
        continue;
      }
    }
    return fail(errnoError(errno, fmt::format("unmount '{}'", rootfs.string())));
  }
  return files::removeAll(dir);
}

}  // namespace berth::image
