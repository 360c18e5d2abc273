#pragma once

// ConfigMaps and Secrets consumed by a pod, resolved the way the kubelet does: environment
// variables (env[].valueFrom.configMapKeyRef/secretKeyRef, envFrom[]) and the files of
// configMap/secret volumes (all keys, or `items` with paths and modes; defaultMode).
//
// Errors carry the kubelet's messages, shown as the container's waiting message and in events:
//   configmap "x" not found                      secret "x" not found
//   couldn't find key k in ConfigMap ns/x        couldn't find key k in Secret ns/x
//   configmap references non-existent config key: k
//   secret references non-existent secret key: k
// A reference marked optional resolves to nothing instead. Values never appear in errors.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "agent/object_resolver.h"
#include "api/pod.h"
#include "base/error.h"

namespace berth::agent {

struct ResolvedEnv {
  // envFrom variables in order (prefix applied; keys that are no valid variable names skipped).
  std::vector<std::pair<std::string, std::string>> fromSources;
  // Values of env[i] with configMapKeyRef/secretKeyRef, by index i; a missing optional
  // reference has no entry (the variable is not set).
  std::map<size_t, std::string> refs;
  // envFrom keys skipped because they are no valid variable names (kubelet: an event
  // InvalidEnvironmentVariableNames).
  std::vector<std::string> invalidKeys;
};

// Whether `container` refers to a ConfigMap or Secret in env or envFrom.
bool needsObjects(const api::Container& container);

// Resolves the ConfigMap/Secret references of `container` (of `pod`, for the namespace).
Result<ResolvedEnv> resolveEnv(const api::Pod& pod, const api::Container& container,
                               ObjectResolver& resolver);

// One file of a configMap/secret volume: path relative to the volume's directory.
struct VolumeFile {
  std::string path;
  std::string content;
  int mode = 0644;
};

// The files of configMap or secret volume `volume` (which must be one of those): every key, or
// only `items` (each at its path, with its mode or the default mode). A missing optional
// object gives no files. An item path that is absolute or has a ".." element: kInvalidArgument.
Result<std::vector<VolumeFile>> projectVolume(const api::Pod& pod, const api::Volume& volume,
                                              ObjectResolver& resolver);

// Writes `files` under `dir` (created 0755 with the parent directories items need), replacing
// what a previous projection left there.
Status writeVolumeFiles(const std::filesystem::path& dir, const std::vector<VolumeFile>& files);

}  // namespace berth::agent
