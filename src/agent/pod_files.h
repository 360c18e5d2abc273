#pragma once

// The pod-level files and volumes that containers of a pod share: /etc/hosts, /etc/resolv.conf,
// /etc/hostname, and emptyDir / hostPath volumes.

#include <filesystem>
#include <map>
#include <string>

#include "api/pod.h"
#include "base/error.h"

namespace berth::agent {

struct PodFiles {
  std::filesystem::path hosts;
  std::filesystem::path resolvConf;
  std::filesystem::path hostname;
};

// Writes hosts (localhost and the pod's IP and hostname), resolv.conf (the host's, minus
// loopback name servers that would point into the pod itself) and hostname under `podDir`/etc.
Result<PodFiles> writePodFiles(const std::filesystem::path& podDir, const api::Pod& pod,
                               const std::string& podIP);

// Prepares every volume of `pod` under `podDir`/volumes: emptyDir as a directory (a tmpfs mount
// for medium Memory, sized by sizeLimit), hostPath checked or created as its type says.
// Returns host paths by volume name. configMap/secret volumes need a control plane: error.
Result<std::map<std::string, std::filesystem::path>> prepareVolumes(
    const std::filesystem::path& podDir, const api::Pod& pod);

// Unmounts tmpfs volumes and removes `podDir`/volumes. Idempotent.
Status cleanupVolumes(const std::filesystem::path& podDir);

}  // namespace berth::agent
