#pragma once

// File helpers. State on disk is written atomically: a temporary file in the same directory,
// fsync, rename, fsync of the directory — a crash at any instruction leaves the old or the new
// content, never a torn file.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::files {

Result<std::string> read(const std::filesystem::path& path);

// Whether a write must survive a crash of the machine (fsync of the file and its directory).
enum class Durability { kDurable, kVolatile };

// Replaces `path` with `content` atomically: readers see the old or the new content, never a
// mix. kDurable (the default) also syncs it; kVolatile is for derived state that is rewritten
// often and rebuilt when lost (after a machine crash it may hold the old content, or nothing).
// Creates missing parent directories.
Status writeAtomic(const std::filesystem::path& path, std::string_view content, int mode = 0644,
                   Durability durability = Durability::kDurable);

// Creates `path` and its parents; not an error if it exists.
Status makeDirs(const std::filesystem::path& path, int mode = 0755);

// Removes `path` recursively; not an error if it does not exist.
Status removeAll(const std::filesystem::path& path);

// Names (not paths) of the entries of a directory, sorted. Empty if the directory is missing.
Result<std::vector<std::string>> listDir(const std::filesystem::path& path);

bool exists(const std::filesystem::path& path);

}  // namespace berth::files
