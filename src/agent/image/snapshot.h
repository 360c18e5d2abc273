#pragma once

// Container root filesystems: overlayfs of an image's unpacked layers (read-only lower dirs)
// with an upper and work dir of the container's own.

#include <filesystem>
#include <vector>

#include "base/error.h"

namespace berth::image {

// Mounts overlay at `dir`/rootfs with `dir`/upper and `dir`/work (created as needed) using
// mount(2). `lowerDirs` are top first; an empty list mounts over an empty dir. On failure
// nothing is left mounted. Returns the rootfs path. Limit: the kernel takes mount options of at
// most one page, so about 40 layers with the store's path lengths (kResourceExhausted beyond).
Result<std::filesystem::path> mountRootfs(const std::filesystem::path& dir,
                                          const std::vector<std::filesystem::path>& lowerDirs);

// Unmounts `dir`/rootfs if mounted (lazily, MNT_DETACH, if it is busy) and removes `dir`.
// Idempotent: not an error if nothing is mounted or `dir` does not exist.
Status unmountRootfs(const std::filesystem::path& dir);

}  // namespace berth::image
