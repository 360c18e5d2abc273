#include "agent/image/blob_store.h"

#include <cstdio>

#include "agent/image/manifest.h"
#include "base/files.h"
#include "base/random.h"
#include "base/sha256.h"

namespace berth::image {

namespace fs = std::filesystem;

fs::path BlobStore::path(std::string_view digest) const {
  return dir_ / std::string(digestHex(digest));
}

bool BlobStore::has(std::string_view digest) const {
  return isValidDigest(digest) && files::exists(path(digest));
}

Result<fs::path> BlobStore::tempPath() const {
  BERTH_TRY_STATUS(files::makeDirs(dir_));
  return dir_ / (".tmp-" + randomHex(8));
}

Status BlobStore::commit(const fs::path& tmp, std::string_view digest) {
  if (!isValidDigest(digest)) {
    return fail(ErrorCode::kInvalidArgument, "invalid digest '{}'", digest);
  }
  if (std::rename(tmp.c_str(), path(digest).c_str()) != 0) {
    return fail(errnoError(errno, fmt::format("rename '{}'", tmp.string())));
  }
  return ok();
}

Status BlobStore::put(std::string_view digest, std::string_view content) {
  if (!isValidDigest(digest)) {
    return fail(ErrorCode::kInvalidArgument, "invalid digest '{}'", digest);
  }
  if (std::string got = Sha256::digestOf(content); got != digest) {
    return fail(ErrorCode::kDataLoss, "digest mismatch: got '{}', expected '{}'", got, digest);
  }
  if (has(digest)) {
    return ok();
  }
  return files::writeAtomic(path(digest), content);
}

Result<std::string> BlobStore::read(std::string_view digest) const {
  if (!has(digest)) {
    return fail(ErrorCode::kNotFound, "blob '{}' not found", digest);
  }
  return files::read(path(digest));
}

Result<std::vector<std::string>> BlobStore::list() const {
  BERTH_ASSIGN_OR_RETURN(auto names, files::listDir(dir_));
  std::vector<std::string> out;
  for (const auto& n : names) {
    if (std::string d = "sha256:" + n; isValidDigest(d)) {
      out.push_back(d);
    }
  }
  return out;
}

}  // namespace berth::image
