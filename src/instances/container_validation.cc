#include <set>
#include <string>
#include <utility>

#include "instances/validation_internal.h"

namespace berth::instances::internal {
namespace {

// Sums of decimal amounts (0.1 + 0.2) must compare equal to what a user wrote (0.3).
constexpr double kEpsilon = 1e-9;

ArmStatus checkName(const std::string& name, const std::string& group) {
  if (isValidContainerName(name)) {
    return {};
  }
  return armFail(400, "InvalidContainerName",
                 "The container name '{}' in container group '{}' is invalid. The container name "
                 "must contain no more than 63 characters and must match the regex "
                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name').",
                 name, group);
}

ArmStatus checkImage(const std::string& image, const std::string& container,
                     const std::string& group) {
  if (!image.empty()) {
    return {};
  }
  return armFail(400, "InvalidContainerImage",
                 "The 'image' of container '{}' in container group '{}' is not specified. An "
                 "image is required.",
                 container, group);
}

ArmStatus checkEnv(const std::vector<EnvironmentVariable>& env, const std::string& container,
                   const std::string& group) {
  for (const EnvironmentVariable& e : env) {
    if (!isValidEnvironmentVariableName(e.name)) {
      return armFail(400, "InvalidContainerEnvironmentVariable",
                     "The environment variable name '{}' in container '{}' of container group "
                     "'{}' is invalid. A valid environment variable name must start with "
                     "alphabetic character or '_', followed by a string of alphanumeric "
                     "characters or '_' (e.g. 'my_name', or 'MY_NAME', or 'MyName').",
                     e.name, container, group);
    }
    if (e.value && e.secureValue) {
      return armFail(400, "InvalidContainerEnvironmentVariable",
                     "The environment variable '{}' in container '{}' of container group '{}' is "
                     "invalid. Only one of 'value' and 'secureValue' can be specified.",
                     e.name, container, group);
    }
  }
  return {};
}

ArmStatus checkMounts(const std::vector<VolumeMount>& mounts, const std::set<std::string>& volumes,
                      const std::string& container, const std::string& group) {
  for (const VolumeMount& m : mounts) {
    if (!volumes.contains(m.name)) {
      return armFail(400, "InvalidVolumeMount",
                     "The volume mount '{}' in container '{}' of container group '{}' is invalid. "
                     "No volume named '{}' is defined in 'properties.volumes'.",
                     m.name, container, group, m.name);
    }
    if (m.mountPath.empty() || m.mountPath.front() != '/' ||
        m.mountPath.find(':') != std::string::npos) {
      return armFail(400, "InvalidVolumeMount",
                     "The 'mountPath' '{}' of volume mount '{}' in container '{}' of container "
                     "group '{}' is invalid. It must be an absolute path without ':'.",
                     m.mountPath, m.name, container, group);
    }
  }
  return {};
}

ArmStatus checkResources(const Container& c, const std::string& group) {
  const ResourceRequirements& r = c.resources;
  if (!r.requestsGiven) {
    return armFail(400, "ResourceRequestsNotSpecified",
                   "The resource requests are not specified in container '{}' of container group "
                   "'{}'. Both memory and CPU requests are required.",
                   c.name, group);
  }
  auto badRequest = [&](const char* what, double value) {
    return armFail(400, "InvalidResourceRequests",
                   "The '{}' request '{}' in container '{}' of container group '{}' is invalid. "
                   "The value must be greater than 0.",
                   what, value, c.name, group);
  };
  if (!(r.requests.cpu > 0)) {
    return badRequest("Cpu", r.requests.cpu);
  }
  if (!(r.requests.memoryInGB > 0)) {
    return badRequest("MemoryInGB", r.requests.memoryInGB);
  }
  if (r.requests.gpu && r.requests.gpu->count < 1) {
    return badRequest("Gpu", static_cast<double>(r.requests.gpu->count));
  }
  if (!r.limits) {
    return {};
  }
  std::pair<const char*, std::optional<double>> limits[] = {{"Cpu", r.limits->cpu},
                                                            {"MemoryInGB", r.limits->memoryInGB}};
  double requests[] = {r.requests.cpu, r.requests.memoryInGB};
  for (size_t i = 0; i < 2; i++) {
    if (!limits[i].second) {
      continue;
    }
    if (!(*limits[i].second > 0)) {
      return armFail(400, "InvalidResourceLimits",
                     "The '{}' limit '{}' in container '{}' of container group '{}' is invalid. "
                     "The value must be greater than 0.",
                     limits[i].first, *limits[i].second, c.name, group);
    }
    if (*limits[i].second + kEpsilon < requests[i]) {
      return armFail(400, "ResourceLimitsLessThanRequests",
                     "The resource requirement in container '{}' of container group '{}' is "
                     "invalid. The '{}' limit value must be greater than or equal to the request "
                     "value.",
                     c.name, group, limits[i].first);
    }
  }
  return {};
}

// ACI: a container's limit may exceed its own request but not the group's total request.
ArmStatus checkGroupTotal(const ContainerGroup& group) {
  double totals[] = {totalCpu(group), totalMemoryInGB(group)};
  for (const Container& c : group.properties.containers) {
    if (!c.resources.limits) {
      continue;
    }
    std::pair<const char*, std::optional<double>> limits[] = {
        {"Cpu", c.resources.limits->cpu}, {"MemoryInGB", c.resources.limits->memoryInGB}};
    for (size_t i = 0; i < 2; i++) {
      if (limits[i].second && *limits[i].second > totals[i] + kEpsilon) {
        return armFail(400, "ContainerLimitGreaterThanContainerGroupTotalRequest",
                       "The '{}' limit '{}' in container '{}' is greater than the total request "
                       "'{}' of container group '{}'.",
                       limits[i].first, *limits[i].second, c.name, totals[i], group.name);
      }
    }
  }
  return {};
}

ArmStatus checkPorts(const Container& c, const std::string& group,
                     std::set<std::pair<int64_t, std::string>>& seen) {
  for (const ContainerPort& p : c.ports) {
    if (p.port < 1 || p.port > 65535) {
      return armFail(400, "InvalidContainerPort",
                     "The port '{}' in container '{}' of container group '{}' is invalid. The "
                     "port must be between 1 and 65535.",
                     p.port, c.name, group);
    }
    if (!p.protocol.empty() && p.protocol != "TCP" && p.protocol != "UDP") {
      return armFail(400, "InvalidContainerPort",
                     "The protocol '{}' of port '{}' in container '{}' of container group '{}' is "
                     "invalid. The value must be one of 'TCP,UDP'.",
                     p.protocol, p.port, c.name, group);
    }
    std::string protocol = p.protocol.empty() ? "TCP" : p.protocol;
    if (!seen.insert({p.port, protocol}).second) {
      return armFail(400, "DuplicateContainerPorts",
                     "The port '{}' ({}) in container '{}' of container group '{}' is exposed by "
                     "more than one container. Containers in a group share one port namespace.",
                     p.port, protocol, c.name, group);
    }
  }
  return {};
}

ArmStatus checkProbe(const std::optional<ContainerProbe>& probe, const char* kind,
                     const std::string& container, const std::string& group) {
  if (!probe) {
    return {};
  }
  auto bad = [&](const std::string& why) {
    return armFail(400, "InvalidContainerProbe",
                   "The '{}' of container '{}' in container group '{}' is invalid. {}", kind,
                   container, group, why);
  };
  if (probe->exec.has_value() == probe->httpGet.has_value()) {
    return bad("Exactly one of 'exec' and 'httpGet' must be specified.");
  }
  if (probe->exec && probe->exec->command.empty()) {
    return bad("The 'exec.command' must not be empty.");
  }
  if (probe->httpGet) {
    if (probe->httpGet->port < 1 || probe->httpGet->port > 65535) {
      return bad(fmt::format("The 'httpGet.port' '{}' must be between 1 and 65535.",
                             probe->httpGet->port));
    }
    const std::string& scheme = probe->httpGet->scheme;
    if (!scheme.empty() && scheme != "http" && scheme != "https") {
      return bad(fmt::format("The 'httpGet.scheme' '{}' must be one of 'http,https'.", scheme));
    }
  }
  std::pair<const char*, std::optional<int64_t>> fields[] = {
      {"initialDelaySeconds", probe->initialDelaySeconds},
      {"periodSeconds", probe->periodSeconds},
      {"failureThreshold", probe->failureThreshold},
      {"successThreshold", probe->successThreshold},
      {"timeoutSeconds", probe->timeoutSeconds}};
  for (const auto& [name, value] : fields) {
    bool zeroAllowed = std::string_view(name) == "initialDelaySeconds";
    if (value && (*value < 0 || (*value == 0 && !zeroAllowed))) {
      return bad(fmt::format("The '{}' '{}' must be {}.", name, *value,
                             zeroAllowed ? "0 or greater" : "greater than 0"));
    }
  }
  return {};
}

}  // namespace

ArmStatus validateContainers(const ContainerGroup& group, const ValidationLimits& limits) {
  const ContainerGroupProperties& p = group.properties;
  if (p.containers.empty()) {
    return armFail(400, "MissingContainers",
                   "The container group '{}' must have at least one container in "
                   "'properties.containers'.",
                   group.name);
  }
  if (static_cast<int>(p.containers.size()) > limits.maxContainers) {
    return armFail(400, "TooManyContainers",
                   "The container group '{}' has {} containers. At most {} are allowed.",
                   group.name, p.containers.size(), limits.maxContainers);
  }
  if (static_cast<int>(p.initContainers.size()) > limits.maxInitContainers) {
    return armFail(400, "TooManyInitContainers",
                   "The container group '{}' has {} init containers. At most {} are allowed.",
                   group.name, p.initContainers.size(), limits.maxInitContainers);
  }
  std::set<std::string> volumes;
  for (const Volume& v : p.volumes) {
    volumes.insert(v.name);
  }
  std::set<std::string> names;
  auto checkUnique = [&](const std::string& name) -> ArmStatus {
    if (names.insert(name).second) {
      return {};
    }
    return armFail(400, "DuplicateContainerNames",
                   "The container name '{}' is used more than once in container group '{}'. "
                   "Container and init container names must be unique.",
                   name, group.name);
  };
  for (const InitContainer& c : p.initContainers) {
    ARM_TRY(checkName(c.name, group.name));
    ARM_TRY(checkUnique(c.name));
    ARM_TRY(checkImage(c.image, c.name, group.name));
    ARM_TRY(checkEnv(c.environmentVariables, c.name, group.name));
    ARM_TRY(checkMounts(c.volumeMounts, volumes, c.name, group.name));
  }
  std::set<std::pair<int64_t, std::string>> ports;
  for (const Container& c : p.containers) {
    ARM_TRY(checkName(c.name, group.name));
    ARM_TRY(checkUnique(c.name));
    ARM_TRY(checkImage(c.image, c.name, group.name));
    ARM_TRY(checkResources(c, group.name));
    ARM_TRY(checkPorts(c, group.name, ports));
    ARM_TRY(checkEnv(c.environmentVariables, c.name, group.name));
    ARM_TRY(checkMounts(c.volumeMounts, volumes, c.name, group.name));
    ARM_TRY(checkProbe(c.livenessProbe, "livenessProbe", c.name, group.name));
    ARM_TRY(checkProbe(c.readinessProbe, "readinessProbe", c.name, group.name));
  }
  return checkGroupTotal(group);
}

}  // namespace berth::instances::internal
