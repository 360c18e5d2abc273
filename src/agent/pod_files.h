#pragma once

// The pod-level files and volumes that containers of a pod share: /etc/hosts, /etc/resolv.conf,
// /etc/hostname, and emptyDir / hostPath / configMap / secret volumes.

#include <filesystem>
#include <map>
#include <string>

#include "agent/object_resolver.h"
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
// for medium Memory, sized by sizeLimit), hostPath checked or created as its type says,
// configMap and secret volumes as files fetched through `resolver` (config_sources.h; secrets on
// a tmpfs, so that they never reach the disk). Returns host paths by volume name.
// Without a resolver (static pods) configMap/secret volumes are an error. On an error the name
// of the volume that failed goes to `failedVolume` (if given), for the FailedMount event.
Result<std::map<std::string, std::filesystem::path>> prepareVolumes(
    const std::filesystem::path& podDir, const api::Pod& pod, ObjectResolver* resolver = nullptr,
    std::string* failedVolume = nullptr);

// Unmounts tmpfs volumes and removes `podDir`/volumes. Idempotent.
Status cleanupVolumes(const std::filesystem::path& podDir);

}  // namespace berth::agent
