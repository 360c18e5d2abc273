#pragma once

// Image records on disk: images/<config hex>.json, one per image, written atomically.

#include <filesystem>
#include <string>
#include <vector>

#include "agent/image/image_store.h"
#include "base/error.h"

namespace berth::image {

struct StoredImage {
  Image image;
  std::vector<std::string> diffIds;  // uncompressed layer digests, to re-verify a re-unpack
};

std::string encodeRecord(const StoredImage& record);
Result<StoredImage> decodeRecord(std::string_view text);

// Reads records from `dir`, keyed by file; unreadable or corrupt files are skipped with a
// warning (a record is rewritten by the next pull of its image).
Result<std::vector<StoredImage>> loadRecords(const std::filesystem::path& dir);

std::filesystem::path recordPath(const std::filesystem::path& dir, const std::string& id);
Status writeRecord(const std::filesystem::path& dir, const StoredImage& record);
Status removeRecord(const std::filesystem::path& dir, const std::string& id);

}  // namespace berth::image
