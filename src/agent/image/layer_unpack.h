#pragma once

// Unpacking one image layer (a tar, gzip- or zstd-compressed or plain) into a directory that
// overlayfs can use as a lower layer.

#include <filesystem>
#include <string_view>

#include "base/error.h"

namespace berth::image {

// Extracts the layer tarball `blob` into the existing empty directory `dest`:
//  - owners, modes (setuid too), times, symlinks, hardlinks, devices, fifos and xattrs kept;
//  - `.wh.NAME` becomes an overlay whiteout (character device 0/0 named NAME) and
//    `.wh..wh..opq` marks its directory opaque (xattr trusted.overlay.opaque=y);
//  - an entry whose path leaves `dest` ("..", or through a symlink) fails with kInvalidArgument.
// When `diffId` is not empty, the sha256 of the uncompressed tar must equal it (kDataLoss).
// On failure `dest` holds a partial tree the caller removes.
Status unpackLayer(const std::filesystem::path& blob, const std::filesystem::path& dest,
                   std::string_view diffId);

// Unpacks `blob` into `layersDir`/`name` unless that exists, via a temporary directory and a
// rename, so a crash or a concurrent unpack of the same layer never exposes a partial tree.
// Returns true if this call did the unpacking.
Result<bool> unpackLayerOnce(const std::filesystem::path& blob,
                             const std::filesystem::path& layersDir, std::string_view name,
                             std::string_view diffId);

}  // namespace berth::image
