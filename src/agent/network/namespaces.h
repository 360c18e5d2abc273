#pragma once

// Namespaces that outlive every process: a fresh network, IPC and UTS namespace, each kept
// alive by a bind mount of the /proc/thread-self/ns/<type> of a short-lived thread onto a file in a
// directory, the way `ip netns add` and `unshare --net=FILE` persist them. Containers join them by
// path.
//
// The directory holding the files is made a mount of its own (a bind mount onto itself) with
// private propagation, so the namespace mounts are not copied into, or held alive by, peer
// mounts of the filesystem underneath.

#include <filesystem>
#include <string>

#include "base/error.h"

namespace berth::network {

struct NamespaceFiles {
  std::filesystem::path net;
  std::filesystem::path ipc;
  std::filesystem::path uts;
};

// The file paths used under `nsDir` ("net", "ipc", "uts").
NamespaceFiles namespaceFiles(const std::filesystem::path& nsDir);

// Creates `nsDir` (and parents), makes it a private self-bind mount, creates new network, IPC
// and UTS namespaces with `hostname` set in the UTS one, and
// bind-mounts them onto the files.
// No process is left running. Debris of an earlier interrupted attempt is cleaned first.
// Errors: kAlreadyExists if `nsDir` already holds a mounted network namespace;
// kInvalidArgument for a hostname the kernel refuses; kInternal for failed system calls. On
// failure nothing is left mounted (the directory itself may remain). Requires CAP_SYS_ADMIN.
// Thread-safe (the namespaces are made on a short-lived thread of their own).
Result<NamespaceFiles> createNamespaces(const std::filesystem::path& nsDir,
                                        const std::string& hostname);

// True if `file` is a mounted namespace file (nsfs), i.e. the namespace is alive.
bool isNamespaceFile(const std::filesystem::path& file);

// Unmounts the namespace files and the directory's self-bind mount, then removes `nsDir` and
// everything in it. Not an error if any of it is already gone. Errors: kInternal when an
// unmount or removal fails.
Status removeNamespaces(const std::filesystem::path& nsDir);

}  // namespace berth::network
