#include "agent/image/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <utility>

#include "base/files.h"

namespace berth::image {

Result<StoreLock> StoreLock::acquire(const std::filesystem::path& path, bool exclusive) {
  BERTH_TRY_STATUS(files::makeDirs(path.parent_path()));
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(errnoError(errno, fmt::format("open '{}'", path.string())));
  }
  while (::flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
    if (errno != EINTR) {
      int err = errno;
      ::close(fd);
      return fail(errnoError(err, fmt::format("lock '{}'", path.string())));
    }
  }
  return StoreLock(fd);
}

StoreLock::StoreLock(StoreLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

StoreLock::~StoreLock() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

}  // namespace berth::image
