#pragma once

// The PodNetwork of pod_network.h built from namespace files (namespaces.h) and a CNI plugin
// chain (cni_config.h, cni_chain.h) run through a CniExec.
//
// Layout under a pod directory `dir`:
//   dir/ns/            a private self-bind mount
//   dir/ns/net|ipc|uts the bind-mounted namespaces
//   dir/ns/cni.json    the CNI cache (cni_cache.h)
// destroy removes dir/ns entirely.

#include "agent/network/cni_exec.h"
#include "agent/network/pod_network.h"

namespace berth::network {

// A PodNetwork running plugins through `exec` (tests pass a fake). Thread-safe for
// different directories; calls for the same directory must not overlap.
PodNetworkPtr makeCniPodNetwork(NetworkConfig config, CniExecPtr exec);

// The directory of the namespace files and cache for a pod directory.
std::filesystem::path sandboxNsDir(const std::filesystem::path& dir);

}  // namespace berth::network
