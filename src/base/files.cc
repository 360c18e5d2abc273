#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <random>
#include <sstream>

namespace berth::files {
namespace fs = std::filesystem;

Result<std::string> read(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail(errnoError(errno, fmt::format("open '{}'", path.string())));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      int err = errno;
      ::close(fd);
      return fail(errnoError(err, fmt::format("read '{}'", path.string())));
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

namespace {

Status writeAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(errnoError(errno, fmt::format("write '{}'", path.string())));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

void syncDir(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

Status writeAtomic(const fs::path& path, std::string_view content, int mode,
                   Durability durability) {
  const bool durable = durability == Durability::kDurable;
  BERTH_TRY_STATUS(makeDirs(path.parent_path()));
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  fs::path tmp = path;
  tmp += fmt::format(".tmp-{:x}", rng());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return fail(errnoError(errno, fmt::format("create '{}'", tmp.string())));
  }
  auto written = writeAll(fd, content, tmp);
  if (written && durable && ::fsync(fd) != 0) {
    written = fail(errnoError(errno, fmt::format("fsync '{}'", tmp.string())));
  }
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return written;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return fail(errnoError(err, fmt::format("rename '{}'", path.string())));
  }
  if (durable) {
    syncDir(path.parent_path());
  }
  return ok();
}

Status makeDirs(const fs::path& path, int mode) {
  if (path.empty()) {
    return ok();
  }
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) {
    return fail(ErrorCode::kInternal, "create directory '{}': {}", path.string(), ec.message());
  }
  if (mode != 0755) {
    ::chmod(path.c_str(), static_cast<mode_t>(mode));
  }
  return ok();
}

Status removeAll(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return fail(ErrorCode::kInternal, "remove '{}': {}", path.string(), ec.message());
  }
  return ok();
}

Result<std::vector<std::string>> listDir(const fs::path& path) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return names;
    }
    return fail(ErrorCode::kInternal, "list '{}': {}", path.string(), ec.message());
  }
  for (const auto& entry : it) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

}  // namespace berth::files
