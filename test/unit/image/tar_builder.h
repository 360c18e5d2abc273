#pragma once

// Test helper: builds tar (optionally gzip) archives in memory with libarchive, for layer and
// OCI-archive tests.

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <string>
#include <vector>

namespace berth::image::testing {

struct TarEntry {
  std::string path;
  mode_t type = AE_IFREG;  // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO
  mode_t perm = 0644;
  std::string data;  // file content
  std::string link;  // symlink target, or hardlink target when `hardlink`
  bool hardlink = false;
  int64_t uid = 0;
  int64_t gid = 0;
  time_t mtime = 1700000000;
};

inline TarEntry file(std::string path, std::string data, mode_t perm = 0644) {
  return TarEntry{.path = std::move(path), .perm = perm, .data = std::move(data)};
}
inline TarEntry dir(std::string path, mode_t perm = 0755) {
  return TarEntry{.path = std::move(path), .type = AE_IFDIR, .perm = perm};
}
inline TarEntry symlink(std::string path, std::string target) {
  return TarEntry{
      .path = std::move(path), .type = AE_IFLNK, .perm = 0777, .link = std::move(target)};
}
inline TarEntry hardlink(std::string path, std::string target) {
  return TarEntry{.path = std::move(path), .link = std::move(target), .hardlink = true};
}

enum class Compression { kNone, kGzip, kZstd };

inline std::string makeTar(const std::vector<TarEntry>& entries, Compression compression) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (compression == Compression::kGzip) {
    archive_write_add_filter_gzip(a);
  } else if (compression == Compression::kZstd) {
    archive_write_add_filter_zstd(a);
  }
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const auto& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.path.c_str());
    archive_entry_set_uid(ae, e.uid);
    archive_entry_set_gid(ae, e.gid);
    archive_entry_set_mtime(ae, e.mtime, 0);
    if (e.hardlink) {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_perm(ae, e.perm);
      archive_entry_set_hardlink(ae, e.link.c_str());
      archive_entry_set_size(ae, 0);
    } else {
      archive_entry_set_filetype(ae, e.type);
      archive_entry_set_perm(ae, e.perm);
      if (e.type == AE_IFLNK) {
        archive_entry_set_symlink(ae, e.link.c_str());
      }
      archive_entry_set_size(ae, e.type == AE_IFREG ? static_cast<int64_t>(e.data.size()) : 0);
    }
    archive_write_header(a, ae);
    if (!e.hardlink && e.type == AE_IFREG && !e.data.empty()) {
      archive_write_data(a, e.data.data(), e.data.size());
    }
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

inline std::string makeTar(const std::vector<TarEntry>& entries, bool gzip = false) {
  return makeTar(entries, gzip ? Compression::kGzip : Compression::kNone);
}

}  // namespace berth::image::testing
