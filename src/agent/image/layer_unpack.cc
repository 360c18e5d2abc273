#include "agent/image/layer_unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "agent/image/layer_extractor.h"
#include "agent/image/unique_fd.h"
#include "base/files.h"
#include "base/random.h"
#include "base/sha256.h"

namespace berth::image {
namespace {

namespace fs = std::filesystem;

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

// The decompressed tar stream, read through a "raw" libarchive reader so that every byte the tar
// reader consumes is also hashed: one pass both extracts and computes the diff id.
struct RawSource {
  archive* raw = nullptr;
  Sha256 hash;
  bool eof = false;
};

la_ssize_t readRaw(archive* outer, void* ctx, const void** buf) {
  auto* s = static_cast<RawSource*>(ctx);
  if (s->eof) {
    return 0;
  }
  size_t size = 0;
  la_int64_t offset = 0;
  int r = archive_read_data_block(s->raw, buf, &size, &offset);
  if (r == ARCHIVE_EOF) {
    s->eof = true;
    return 0;
  }
  if (r < ARCHIVE_WARN) {
    archive_set_error(outer, EIO, "%s", archive_error_string(s->raw));
    return -1;
  }
  s->hash.update(*buf, size);
  return static_cast<la_ssize_t>(size);
}

}  // namespace

Status unpackLayer(const fs::path& blob, const fs::path& dest, std::string_view diffId) {
  UniqueFd root(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.get() < 0) {
    return fail(errnoError(errno, fmt::format("open '{}'", dest.string())));
  }
  ArchivePtr raw(archive_read_new());
  archive_read_support_filter_all(raw.get());
  archive_read_support_format_raw(raw.get());
  if (archive_read_open_filename(raw.get(), blob.c_str(), 1 << 20) != ARCHIVE_OK) {
    return fail(ErrorCode::kDataLoss, "open layer '{}': {}", blob.string(),
                archive_error_string(raw.get()));
  }
  archive_entry* rawEntry = nullptr;
  if (archive_read_next_header(raw.get(), &rawEntry) != ARCHIVE_OK) {
    return fail(ErrorCode::kDataLoss, "read layer '{}': {}", blob.string(),
                archive_error_string(raw.get()));
  }
  RawSource source{raw.get(), {}, false};
  ArchivePtr tar(archive_read_new());
  archive_read_support_format_tar(tar.get());
  archive_read_support_format_gnutar(tar.get());
  if (archive_read_open(tar.get(), &source, nullptr, readRaw, nullptr) != ARCHIVE_OK) {
    return fail(ErrorCode::kDataLoss, "read layer '{}': {}", blob.string(),
                archive_error_string(tar.get()));
  }
  if (::fchmod(root.get(), 0755) != 0) {
    return fail(errnoError(errno, fmt::format("chmod '{}'", dest.string())));
  }
  LayerExtractor extractor(tar.get(), root.get(), dest);
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(tar.get(), &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    if (auto s = extractor.entry(entry); !s) {
      return fail(std::move(s.error()).wrap("unpack layer"));
    }
  }
  if (r != ARCHIVE_EOF) {
    return fail(ErrorCode::kDataLoss, "unpack layer: {}", archive_error_string(tar.get()));
  }
  extractor.finish();
  // The tar reader stops at the end-of-archive blocks; hash whatever padding follows.
  const void* buf = nullptr;
  la_ssize_t n;
  while ((n = readRaw(tar.get(), &source, &buf)) > 0) {
  }
  if (n < 0) {
    return fail(ErrorCode::kDataLoss, "unpack layer: {}", archive_error_string(raw.get()));
  }
  if (!diffId.empty()) {
    std::string got = "sha256:" + source.hash.hexDigest();
    if (got != diffId) {
      return fail(ErrorCode::kDataLoss, "layer diff id mismatch: got '{}', expected '{}'", got,
                  diffId);
    }
  }
  return ok();
}

Result<bool> unpackLayerOnce(const fs::path& blob, const fs::path& layersDir, std::string_view name,
                             std::string_view diffId) {
  fs::path final = layersDir / name;
  if (files::exists(final)) {
    return false;
  }
  BERTH_TRY_STATUS(files::makeDirs(layersDir));
  fs::path tmp = layersDir / fmt::format(".tmp-{}-{}", name.substr(0, 12), randomHex(4));
  if (::mkdir(tmp.c_str(), 0755) != 0) {
    return fail(errnoError(errno, fmt::format("mkdir '{}'", tmp.string())));
  }
  Status s = unpackLayer(blob, tmp, diffId);
  if (s) {
    // Make the tree durable before it becomes visible under its final name.
    UniqueFd dir(::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) {
      ::syncfs(dir.get());
    }
    if (::rename(tmp.c_str(), final.c_str()) == 0) {
      return true;
    }
    if (errno != ENOTEMPTY && errno != EEXIST) {
      s = fail(errnoError(errno, fmt::format("rename '{}'", tmp.string())));
    }
  }
  (void)files::removeAll(tmp);
  if (!s) {
    return fail(std::move(s.error()));
  }
  return false;  // someone else unpacked it meanwhile
}

}  // namespace berth::image
