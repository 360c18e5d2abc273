#pragma once

// Turns a pod's container (Kubernetes rules) and its image's config (OCI rules) into what the
// runtime runs. Pure logic apart from reading the image's /etc/passwd and /etc/group for user
// names; everything it needs is passed in.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "agent/config_sources.h"
#include "agent/image/image_store.h"
#include "agent/runtime/runtime.h"
#include "api/pod.h"
#include "base/error.h"

namespace berth::agent {

struct BuildInputs {
  const api::Pod* pod = nullptr;
  const api::Container* container = nullptr;
  const image::ImageConfig* imageConfig = nullptr;
  std::filesystem::path rootfs;  // mounted root filesystem (for user name look-ups)
  // Host paths of the pod's volumes by volume name (emptyDir dirs, hostPath paths).
  std::map<std::string, std::filesystem::path> volumePaths;
  // Pod-level files bind-mounted into every container.
  std::filesystem::path hostsFile;
  std::filesystem::path resolvConfFile;
  std::filesystem::path hostnameFile;
  int64_t pidsLimit = 0;  // 0: no limit
  // ConfigMap/Secret values of env and envFrom (config_sources.h); null when the pod has no
  // control plane (static pods), which makes such references an error.
  const ResolvedEnv* resolvedEnv = nullptr;
};

// Fills everything of the spec that follows from the pod and the image: args, env, cwd, user,
// groups, hostname, mounts, capabilities, read-only root and resources. The caller sets id,
// dir, rootfs, namespaces, cgroupsPath and log path.
// Environment order as the kubelet's: the image's, then envFrom, then env (later wins).
// Errors (kInvalidArgument, shown as CreateContainerConfigError / CreateContainerError):
// no command, runAsNonRoot with root, an unknown user name, a bad quantity, a ConfigMap or
// Secret reference without `resolvedEnv`.
Result<runtime::ContainerSpec> buildContainerSpec(const BuildInputs& in);

// Kubernetes $(VAR) expansion: $(NAME) -> value when defined, $$ -> $, otherwise unchanged.
std::string expandVars(const std::string& text, const std::map<std::string, std::string>& env);

// "uid", "uid:gid", "name", "name:group" resolved against rootfs /etc/passwd and /etc/group.
Result<std::pair<uint32_t, uint32_t>> resolveUser(const std::string& user,
                                                  const std::filesystem::path& rootfs);

}  // namespace berth::agent
