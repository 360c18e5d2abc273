// ImageStoreImpl::importArchive: images from an OCI image-layout tar (e.g. `skopeo copy …
// oci-archive:FILE:NAME`), for machines that cannot reach a registry.

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <memory>

#include "agent/image/image_store_impl.h"
#include "agent/image/store_lock.h"
#include "base/files.h"
#include "base/sha256.h"

namespace berth::image {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
constexpr size_t kMaxIndexSize = 4 << 20;

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

std::string cleanName(std::string_view p) {
  while (p.starts_with("./")) {
    p.remove_prefix(2);
  }
  while (p.starts_with("/")) {
    p.remove_prefix(1);
  }
  return std::string(p);
}

Result<std::string> readSmall(archive* a, std::string_view what) {
  std::string out;
  char buf[65536];
  la_ssize_t n;
  while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxIndexSize) {
      return fail(ErrorCode::kInvalidArgument, "'{}' is too large", what);
    }
  }
  if (n < 0) {
    return fail(ErrorCode::kDataLoss, "read '{}': {}", what, archive_error_string(a));
  }
  return out;
}

// Streams the current entry into `tmp`, returning its digest.
Result<std::string> copyEntry(archive* a, const fs::path& tmp) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return fail(errnoError(errno, fmt::format("create '{}'", tmp.string())));
  }
  Sha256 hash;
  Status s = ok();
  const void* buf = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  int r;
  while (s && (r = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
    hash.update(buf, size);
    if (::pwrite(fd, buf, size, offset) != static_cast<ssize_t>(size)) {
      s = fail(errnoError(errno, fmt::format("write '{}'", tmp.string())));
    }
  }
  if (s && r != ARCHIVE_EOF) {
    s = fail(ErrorCode::kDataLoss, "read archive: {}", archive_error_string(a));
  }
  if (s && ::fsync(fd) != 0) {
    s = fail(errnoError(errno, fmt::format("fsync '{}'", tmp.string())));
  }
  ::close(fd);
  if (!s) {
    ::unlink(tmp.c_str());
    return fail(std::move(s.error()));
  }
  return "sha256:" + hash.hexDigest();
}

}  // namespace

Result<std::vector<Image>> ImageStoreImpl::importArchive(const fs::path& path) {
  auto wrap = [&](Error e) {
    return fail(std::move(e).wrap(fmt::format("import '{}'", path.string())));
  };
  auto gc = StoreLock::acquire(gcLock(), false);
  if (!gc) {
    return wrap(gc.error());
  }
  std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 20) != ARCHIVE_OK) {
    return wrap(Error(ErrorCode::kInvalidArgument, archive_error_string(a.get())));
  }

  // Blobs go straight into the store, each verified against its file name.
  std::string indexJson;
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    std::string name = cleanName(archive_entry_pathname(entry));
    if (archive_entry_filetype(entry) != AE_IFREG) {
      continue;
    }
    if (name == "index.json") {
      auto text = readSmall(a.get(), name);
      if (!text) {
        return wrap(text.error());
      }
      indexJson = std::move(*text);
    } else if (name.starts_with("blobs/sha256/")) {
      std::string digest = "sha256:" + name.substr(13);
      if (!isValidDigest(digest)) {
        return wrap(Error(ErrorCode::kInvalidArgument, fmt::format("bad blob name '{}'", name)));
      }
      if (blobs_.has(digest)) {
        continue;
      }
      auto tmp = blobs_.tempPath();
      auto got = tmp ? copyEntry(a.get(), *tmp) : Result<std::string>(fail(tmp.error()));
      if (!got) {
        return wrap(got.error());
      }
      if (*got != digest) {
        ::unlink(tmp->c_str());
        return wrap(
            Error(ErrorCode::kDataLoss, fmt::format("blob '{}' has digest '{}'", digest, *got)));
      }
      if (auto s = blobs_.commit(*tmp, digest); !s) {
        return wrap(s.error());
      }
    }
  }
  if (r != ARCHIVE_EOF) {
    return wrap(Error(ErrorCode::kInvalidArgument, archive_error_string(a.get())));
  }
  if (indexJson.empty()) {
    return wrap(Error(ErrorCode::kInvalidArgument, "not an OCI image layout: no index.json"));
  }

  auto importOne = [&](const Descriptor& d) -> Result<Image> {
    std::string name;
    if (auto it = d.annotations.find(std::string(kRefNameAnnotation)); it != d.annotations.end()) {
      BERTH_ASSIGN_OR_RETURN(Reference ref, Reference::parse(it->second));
      name = ref.str();
    }
    Descriptor target = d;
    if (isIndexType(d.mediaType)) {
      BERTH_ASSIGN_OR_RETURN(std::string text, blobs_.read(d.digest));
      BERTH_ASSIGN_OR_RETURN(Index nested, parseIndex(text));
      BERTH_ASSIGN_OR_RETURN(target, selectPlatform(nested, "linux", "amd64"));
    }
    BERTH_ASSIGN_OR_RETURN(std::string body, blobs_.read(target.digest));
    BERTH_ASSIGN_OR_RETURN(Manifest manifest, parseManifest(body));
    BERTH_ASSIGN_OR_RETURN(std::string configText, blobs_.read(manifest.config.digest));
    BERTH_ASSIGN_OR_RETURN(ParsedConfig config, parseConfig(configText));
    return completeImage(manifest, target.digest, config, name, nullptr);
  };

  auto index = parseIndex(indexJson);
  if (!index) {
    return wrap(index.error());
  }
  std::vector<Image> out;
  for (const auto& d : index->manifests) {
    auto image = importOne(d);
    if (!image) {
      return wrap(image.error().wrap(fmt::format("manifest '{}'", d.digest)));
    }
    out.push_back(std::move(*image));
  }
  return out;
}

}  // namespace berth::image
