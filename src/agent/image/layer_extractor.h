#pragma once

// Writes the entries of a layer tar below a directory, as an overlayfs lower dir needs them:
// owners, modes, times, links, devices and xattrs kept; `.wh.NAME` → whiteout device 0/0;
// `.wh..wh..opq` → trusted.overlay.opaque=y on its directory. Every path is resolved one
// component at a time without following symlinks, so no entry can write outside the directory
// (kInvalidArgument for one that tries). Not thread-safe; one extractor per layer.

#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::image {

class LayerExtractor {
 public:
  // `a` is the tar reader (the caller advances it); `root` is an open directory fd of `dest`,
  // borrowed for the extractor's lifetime.
  LayerExtractor(archive* a, int root, std::filesystem::path dest)
      : a_(a), root_(root), dest_(std::move(dest)) {}

  // Creates entry `e`, reading its data from the reader. A later entry for an existing path
  // replaces it (directories are updated in place).
  Status entry(archive_entry* e);
  // Sets the times of the directories created; call after the last entry.
  void finish();

 private:
  struct DirTime {
    std::filesystem::path path;
    timespec times[2];
  };

  Status whiteout(int parent, const std::string& name, const std::vector<std::string>& comps);
  Status regularFile(int parent, const std::string& name, archive_entry* e,
                     const std::string& path);
  Status metadata(int fd, archive_entry* e, const std::string& path);
  void times(archive_entry* e, timespec out[2]);

  archive* a_;
  int root_;
  std::filesystem::path dest_;
  std::vector<DirTime> dirs_;
};

}  // namespace berth::image
