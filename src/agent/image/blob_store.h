#pragma once

// The content-addressed blob directory of the image store: <dir>/<hex> for "sha256:<hex>".
// A blob appears under its name only after its digest was checked (temporary file, rename).
// Thread-safe: all state is in the file system.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::image {

class BlobStore {
 public:
  explicit BlobStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path path(std::string_view digest) const;
  bool has(std::string_view digest) const;

  // A new temporary path inside the store (same file system, so commit() is a rename). Names
  // start with ".tmp-"; prune removes leftovers of crashed processes.
  Result<std::filesystem::path> tempPath() const;
  // Moves the already verified file `tmp` to the path of `digest`.
  Status commit(const std::filesystem::path& tmp, std::string_view digest);
  // Stores `content` as `digest`, kDataLoss if its sha256 differs.
  Status put(std::string_view digest, std::string_view content);
  // The content of blob `digest`; kNotFound if absent.
  Result<std::string> read(std::string_view digest) const;
  // Digests of all stored blobs.
  Result<std::vector<std::string>> list() const;

 private:
  std::filesystem::path dir_;
};

}  // namespace berth::image
