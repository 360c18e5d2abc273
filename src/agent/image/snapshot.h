#pragma once

// Container root filesystems: overlayfs of an image's unpacked layers (read-only lower dirs)
// with an upper and work dir of the container's own.

#include <filesystem>
#include <vector>

#include "base/error.h"

namespace berth::image {

// Mounts overlay at `dir`/rootfs with `dir`/upper and `dir`/work. `lowerDirs` are top first.
// On failure nothing is left mounted. Returns the rootfs path.
Result<std::filesystem::path> mountRootfs(const std::filesystem::path& dir,
                                          const std::vector<std::filesystem::path>& lowerDirs);

// Unmounts `dir`/rootfs if mounted and removes `dir`. Not an error if nothing is there.
Status unmountRootfs(const std::filesystem::path& dir);

}  // namespace berth::image
