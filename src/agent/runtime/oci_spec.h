#pragma once

// ContainerSpec -> OCI runtime-spec config.json (runtime-spec 1.0).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "agent/runtime/cgroup_paths.h"
#include "agent/runtime/runtime.h"
#include "base/error.h"

namespace berth::runtime {

// What the spec depends on besides the ContainerSpec: facts about the node, passed in so the
// result is a pure function (unit-testable).
struct OciSpecOptions {
  // Capabilities the runtime itself holds (it cannot grant others); see processBoundingSet().
  uint64_t availableCapabilities = ~uint64_t{0};
  // RLIMIT_NOFILE hard limit for containers; must not exceed the runtime's own hard limit
  // because raising it needs CAP_SYS_RESOURCE (which root lacks on some hosts).
  uint64_t nofileHard = 1048576;
  // A seccomp profile (linux.seccomp) to use instead of the built-in one.
  std::optional<nlohmann::json> seccompProfile;
};

// The config.json for `spec`. Defaults: Docker's capability set, masked and read-only /proc
// paths, a private pid/mount namespace (network/ipc/uts from the given paths or new), the
// built-in seccomp profile, device cgroup allowing only the standard devices. Privileged
// containers get every available capability, no seccomp, no masked paths and all devices.
// linux.resources.cpu has the shares but never a quota: see deferredCpuQuota().
// kInvalidArgument for an unknown capability, empty args, relative paths or a bad id.
Result<nlohmann::json> buildOciSpec(const ContainerSpec& spec, const OciSpecOptions& options);

// The CPU limit of `spec` (resources.cpuQuotaMicros per kCfsPeriodMicros), or nullopt without
// one. It is left out of the OCI spec and written into the cgroup by the monitor once the
// runtime started the container: under a small quota (1 ms per 100 ms) the runtime's own
// set-up in the container's cgroup would otherwise take hundreds of milliseconds.
std::optional<CpuQuota> deferredCpuQuota(const ContainerSpec& spec);

// The cgroupsPath used for a spec: spec.cgroupsPath, or "/berth/<id>" when empty.
std::string effectiveCgroupsPath(const ContainerSpec& spec);

// OK if `id` can name a runtime container: 1-128 of [A-Za-z0-9_.-], not starting with '.'/'-'.
Status validateContainerId(const std::string& id);

}  // namespace berth::runtime
