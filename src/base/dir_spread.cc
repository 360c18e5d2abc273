#include "base/dir_spread.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace berth::files {

Status spreadSubdirectories(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return fail(errnoError(errno, fmt::format("open '{}'", dir.string())));
  }
  int flags = 0;
  Status result = ok();
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
    if (errno != ENOTTY && errno != EOPNOTSUPP && errno != EINVAL) {
      result = fail(errnoError(errno, fmt::format("get flags of '{}'", dir.string())));
    }
  } else if ((flags & FS_TOPDIR_FL) == 0) {
    flags |= FS_TOPDIR_FL;
    if (::ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0 && errno != EOPNOTSUPP && errno != EINVAL) {
      result = fail(errnoError(errno, fmt::format("set FS_TOPDIR_FL on '{}'", dir.string())));
    }
  }
  ::close(fd);
  return result;
}

}  // namespace berth::files
