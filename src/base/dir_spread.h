#pragma once

// Where ext4 puts new inodes, and why a directory of short-lived subdirectories must say so.
//
// ext4 places a new directory's inode in its parent's block group, and a file's next to its
// directory's, so every pod directory an agent makes under one parent, and every file in them,
// lands in one block group. On a filesystem without a journal (like the root filesystem of
// these machines), allocating an inode skips each free inode of the group that was deleted in
// the last 5 s (300 s more while the inode table block is dirty, which constant churn keeps it):
// once pods have come and gone for a few minutes, nearly every free inode of that group counts
// as recently deleted, and each file or directory created there costs a scan of the whole group
// — measured here: 650 µs of CPU per create, against 18 µs in an unchurned group, 40 creates
// per pod. Flagging the parent as a "top directory" (FS_TOPDIR_FL, `chattr +T`) makes ext4
// spread its subdirectories over all groups, as it does for those of the root directory: each
// pod's files go to a group of their own (measured: 16–21 µs per create).

#include <filesystem>

#include "base/error.h"

namespace berth::files {

// Sets FS_TOPDIR_FL on directory `dir` (which must exist). A filesystem without the flag (tmpfs,
// overlayfs, ...) is not an error: there is nothing to spread.
Status spreadSubdirectories(const std::filesystem::path& dir);

}  // namespace berth::files
