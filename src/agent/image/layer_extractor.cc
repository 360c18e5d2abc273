#include "agent/image/layer_extractor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

#include "agent/image/unique_fd.h"

namespace berth::image {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";

// Splits a tar path into components, resolving "." and ".." lexically; a path that climbs above
// the layer root is refused.
Result<std::vector<std::string>> cleanPath(std::string_view p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    size_t slash = p.find('/', i);
    std::string_view c = p.substr(i, slash == std::string_view::npos ? slash : slash - i);
    if (c == "..") {
      if (out.empty()) {
        return fail(ErrorCode::kInvalidArgument, "path '{}' escapes the layer", p);
      }
      out.pop_back();
    } else if (!c.empty() && c != ".") {
      out.emplace_back(c);
    }
    if (slash == std::string_view::npos) {
      break;
    }
    i = slash + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& comps, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; i++) {
    out += (i == 0 ? "" : "/") + comps[i];
  }
  return out;
}

// Opens the directory made of the first `n` components below `root`, never following a
// symlink (so nothing can be written outside the layer), creating missing ones if `create`.
Result<UniqueFd> openDir(int root, const std::vector<std::string>& comps, size_t n, bool create) {
  UniqueFd cur(::fcntl(root, F_DUPFD_CLOEXEC, 0));
  for (size_t i = 0; i < n; i++) {
    const char* c = comps[i].c_str();
    int next = ::openat(cur.get(), c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), c, 0755) != 0 && errno != EEXIST) {
        return fail(errnoError(errno, fmt::format("mkdir '{}'", joined(comps, i + 1))));
      }
      next = ::openat(cur.get(), c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (next < 0) {
      if (errno == ELOOP || errno == ENOTDIR) {
        return fail(ErrorCode::kInvalidArgument,
                    "path '{}' goes through a symlink or a non-directory", joined(comps, n));
      }
      return fail(errnoError(errno, fmt::format("open '{}'", joined(comps, i + 1))));
    }
    cur = UniqueFd(next);
  }
  return cur;
}

}  // namespace

void LayerExtractor::times(archive_entry* e, timespec out[2]) {
  out[1] = {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
  out[0] = archive_entry_atime_is_set(e)
               ? timespec{archive_entry_atime(e), archive_entry_atime_nsec(e)}
               : out[1];
}

// Owner first (chown clears setuid bits), then mode, then xattrs.
Status LayerExtractor::metadata(int fd, archive_entry* e, const std::string& path) {
  if (::fchown(fd, static_cast<uid_t>(archive_entry_uid(e)),
               static_cast<gid_t>(archive_entry_gid(e))) != 0) {
    return fail(errnoError(errno, fmt::format("chown '{}'", path)));
  }
  if (::fchmod(fd, archive_entry_perm(e) & 07777) != 0) {
    return fail(errnoError(errno, fmt::format("chmod '{}'", path)));
  }
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  archive_entry_xattr_reset(e);
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    // Overlay's own attributes come only from whiteout markers, never from layer content.
    if (std::string_view(name).starts_with("trusted.overlay.")) {
      continue;
    }
    if (::fsetxattr(fd, name, value, size, 0) != 0 && errno != ENOTSUP) {
      return fail(errnoError(errno, fmt::format("set xattr '{}' on '{}'", name, path)));
    }
  }
  return ok();
}

Status LayerExtractor::whiteout(int parent, const std::string& name,
                                const std::vector<std::string>& comps) {
  std::string path = joined(comps, comps.size());
  if (name == kOpaqueMarker) {
    if (::fsetxattr(parent, "trusted.overlay.opaque", "y", 1, 0) != 0) {
      return fail(errnoError(errno, fmt::format("mark '{}' opaque", path)));
    }
    return ok();
  }
  if (name.starts_with(kWhiteoutMetaPrefix)) {
    return ok();  // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not part of the tree
  }
  std::string hidden = name.substr(kWhiteoutPrefix.size());
  if (hidden.empty() || hidden == "." || hidden == "..") {
    return fail(ErrorCode::kInvalidArgument, "invalid whiteout '{}'", path);
  }
  struct stat st {};
  if (::fstatat(parent, hidden.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    std::error_code ec;
    fs::remove_all(dest_ / fs::path(path).parent_path() / hidden, ec);
  }
  if (::mknodat(parent, hidden.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) {
    return fail(errnoError(errno, fmt::format("create whiteout for '{}'", path)));
  }
  return ok();
}

Status LayerExtractor::regularFile(int parent, const std::string& name, archive_entry* e,
                                   const std::string& path) {
  UniqueFd fd(
      ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return fail(errnoError(errno, fmt::format("create '{}'", path)));
  }
  const void* buf = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  int r;
  while ((r = archive_read_data_block(a_, &buf, &size, &offset)) == ARCHIVE_OK) {
    const char* p = static_cast<const char*>(buf);
    while (size > 0) {
      ssize_t n = ::pwrite(fd.get(), p, size, offset);
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return fail(errnoError(errno, fmt::format("write '{}'", path)));
      }
      p += n;
      offset += n;
      size -= static_cast<size_t>(n);
    }
  }
  if (r != ARCHIVE_EOF) {
    return fail(ErrorCode::kDataLoss, "read '{}' from layer: {}", path, archive_error_string(a_));
  }
  if (archive_entry_size_is_set(e) && ::ftruncate(fd.get(), archive_entry_size(e)) != 0) {
    return fail(errnoError(errno, fmt::format("truncate '{}'", path)));
  }
  BERTH_TRY_STATUS(metadata(fd.get(), e, path));
  timespec ts[2];
  times(e, ts);
  ::futimens(fd.get(), ts);
  return ok();
}

Status LayerExtractor::entry(archive_entry* e) {
  const char* rawPath = archive_entry_pathname(e);
  if (rawPath == nullptr) {
    return fail(ErrorCode::kInvalidArgument, "layer entry without a path");
  }
  BERTH_ASSIGN_OR_RETURN(auto comps, cleanPath(rawPath));
  mode_t type = archive_entry_filetype(e);
  const char* hardlink = archive_entry_hardlink(e);
  if (comps.empty()) {  // "./": the layer root itself
    if (type == AE_IFDIR) {
      BERTH_TRY_STATUS(metadata(root_, e, "/"));
      DirTime dt{dest_, {}};
      times(e, dt.times);
      dirs_.push_back(dt);
    }
    return ok();
  }
  std::string path = joined(comps, comps.size());
  const std::string& name = comps.back();
  BERTH_ASSIGN_OR_RETURN(UniqueFd parent, openDir(root_, comps, comps.size() - 1, true));
  if (name.starts_with(kWhiteoutPrefix)) {
    return whiteout(parent.get(), name, comps);
  }

  // A later entry for the same path replaces the earlier one (a directory is updated in place).
  struct stat st {};
  if (::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(st.st_mode)) {
      if (type != AE_IFDIR || hardlink != nullptr) {
        std::error_code ec;
        fs::remove_all(dest_ / path, ec);
      }
    } else if (::unlinkat(parent.get(), name.c_str(), 0) != 0) {
      return fail(errnoError(errno, fmt::format("replace '{}'", path)));
    }
  }

  if (hardlink != nullptr) {
    BERTH_ASSIGN_OR_RETURN(auto target, cleanPath(hardlink));
    if (target.empty()) {
      return fail(ErrorCode::kInvalidArgument, "hardlink '{}' to the layer root", path);
    }
    BERTH_ASSIGN_OR_RETURN(UniqueFd tparent, openDir(root_, target, target.size() - 1, false));
    if (::linkat(tparent.get(), target.back().c_str(), parent.get(), name.c_str(), 0) != 0) {
      return fail(errnoError(errno, fmt::format("hardlink '{}' to '{}'", path, hardlink)));
    }
    return ok();
  }

  uid_t uid = static_cast<uid_t>(archive_entry_uid(e));
  gid_t gid = static_cast<gid_t>(archive_entry_gid(e));
  timespec ts[2];
  times(e, ts);
  switch (type) {
    case AE_IFREG:
      return regularFile(parent.get(), name, e, path);
    case AE_IFDIR: {
      if (::mkdirat(parent.get(), name.c_str(), 0700) != 0 && errno != EEXIST) {
        return fail(errnoError(errno, fmt::format("mkdir '{}'", path)));
      }
      UniqueFd dir(
          ::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (dir.get() < 0) {
        return fail(errnoError(errno, fmt::format("open '{}'", path)));
      }
      BERTH_TRY_STATUS(metadata(dir.get(), e, path));
      DirTime dt{dest_ / path, {ts[0], ts[1]}};
      dirs_.push_back(dt);
      return ok();
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (target == nullptr || ::symlinkat(target, parent.get(), name.c_str()) != 0) {
        return fail(
            errnoError(target == nullptr ? EINVAL : errno, fmt::format("symlink '{}'", path)));
      }
      if (::fchownat(parent.get(), name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
        return fail(errnoError(errno, fmt::format("chown '{}'", path)));
      }
      ::utimensat(parent.get(), name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
      return ok();
    }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: {
      dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
      if (::mknodat(parent.get(), name.c_str(), type | 0600, type == AE_IFIFO ? 0 : dev) != 0) {
        return fail(errnoError(errno, fmt::format("mknod '{}'", path)));
      }
      if (::fchownat(parent.get(), name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0 ||
          ::fchmodat(parent.get(), name.c_str(), archive_entry_perm(e) & 07777, 0) != 0) {
        return fail(errnoError(errno, fmt::format("set owner and mode of '{}'", path)));
      }
      ::utimensat(parent.get(), name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
      return ok();
    }
    default:
      return ok();  // sockets and unknown types are not image content
  }
}

// Directory times last: creating their children changed them.
void LayerExtractor::finish() {
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    ::utimensat(AT_FDCWD, it->path.c_str(), it->times, AT_SYMLINK_NOFOLLOW);
  }
}

}  // namespace berth::image
