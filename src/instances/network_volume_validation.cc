#include <set>
#include <string>

#include "api/name_validation.h"
#include "base/base64.h"
#include "instances/validation_internal.h"

namespace berth::instances::internal {
namespace {

ArmStatus checkIpAddress(const ContainerGroup& group, const ValidationLimits& limits) {
  const std::optional<IpAddress>& ip = group.properties.ipAddress;
  if (!ip) {
    return {};
  }
  if (ip->type != "Public" && ip->type != "Private") {
    return armFail(400, "InvalidIpAddressType",
                   "The IP address type '{}' of container group '{}' is invalid. The value must "
                   "be one of 'Public,Private'.",
                   ip->type, group.name);
  }
  if (ip->ports.empty()) {
    return armFail(400, "MissingIpAddressPorts",
                   "The ports in the 'ipAddress' of container group '{}' cannot be empty.",
                   group.name);
  }
  if (static_cast<int>(ip->ports.size()) > limits.maxIpAddressPorts) {
    return armFail(400, "TooManyIpAddressPorts",
                   "The 'ipAddress' of container group '{}' has {} ports. At most {} are allowed.",
                   group.name, ip->ports.size(), limits.maxIpAddressPorts);
  }
  std::set<std::pair<int64_t, std::string>> exposed;
  for (const Container& c : group.properties.containers) {
    for (const ContainerPort& p : c.ports) {
      exposed.insert({p.port, p.protocol.empty() ? "TCP" : p.protocol});
    }
  }
  std::set<std::pair<int64_t, std::string>> seen;
  for (const ContainerPort& p : ip->ports) {
    if (p.port < 1 || p.port > 65535) {
      return armFail(400, "InvalidIpAddressPort",
                     "The port '{}' in the 'ipAddress' of container group '{}' is invalid. The "
                     "port must be between 1 and 65535.",
                     p.port, group.name);
    }
    if (p.protocol != "TCP" && p.protocol != "UDP") {
      return armFail(400, "InvalidIpAddressPort",
                     "The protocol '{}' of port '{}' in the 'ipAddress' of container group '{}' "
                     "is invalid. The value must be one of 'TCP,UDP'.",
                     p.protocol, p.port, group.name);
    }
    if (!seen.insert({p.port, p.protocol}).second) {
      return armFail(400, "InvalidIpAddressPort",
                     "The port '{}' ({}) is listed more than once in the 'ipAddress' of container "
                     "group '{}'.",
                     p.port, p.protocol, group.name);
    }
    if (!exposed.contains({p.port, p.protocol})) {
      return armFail(400, "IpAddressPortNotExposed",
                     "The port '{}' ({}) in the 'ipAddress' of container group '{}' is not exposed "
                     "by any container. List it in the 'ports' of the container that listens on "
                     "it.",
                     p.port, p.protocol, group.name);
    }
  }
  if (!ip->dnsNameLabel.empty() && !isValidDnsNameLabel(ip->dnsNameLabel)) {
    return armFail(400, "InvalidDnsNameLabel",
                   "The DNS name label '{}' of container group '{}' is invalid. It must be 5 to 63 "
                   "characters long, contain only lowercase letters, numbers and '-', and must "
                   "not start or end with '-'.",
                   ip->dnsNameLabel, group.name);
  }
  return {};
}

ArmStatus checkVolumes(const ContainerGroup& group, const ValidationLimits& limits) {
  const std::vector<Volume>& volumes = group.properties.volumes;
  if (static_cast<int>(volumes.size()) > limits.maxVolumes) {
    return armFail(400, "TooManyVolumes",
                   "The container group '{}' has {} volumes. At most {} are allowed.", group.name,
                   volumes.size(), limits.maxVolumes);
  }
  std::set<std::string> names;
  for (const Volume& v : volumes) {
    if (!isValidContainerGroupName(v.name)) {
      return armFail(400, "InvalidVolume",
                     "The volume name '{}' in container group '{}' is invalid. A volume name must "
                     "be 1 to 63 characters long, contain only lowercase letters, numbers and "
                     "'-', must not start or end with '-' and must not contain '--'.",
                     v.name, group.name);
    }
    if (!names.insert(v.name).second) {
      return armFail(400, "DuplicateVolumeNames",
                     "The volume name '{}' is used more than once in container group '{}'.", v.name,
                     group.name);
    }
    if (!v.unsupportedKind.empty()) {
      return armFail(400, "UnsupportedVolumeType",
                     "The volume '{}' in container group '{}' uses '{}', which is not supported. "
                     "The supported volume types are 'emptyDir,secret'.",
                     v.name, group.name, v.unsupportedKind);
    }
    if (v.emptyDir == v.secret.has_value()) {
      return armFail(400, "InvalidVolume",
                     "The volume '{}' in container group '{}' is invalid. Exactly one of "
                     "'emptyDir' and 'secret' must be specified.",
                     v.name, group.name);
    }
    if (!v.secret) {
      continue;
    }
    for (const auto& [file, content] : *v.secret) {
      if (!api::isConfigMapKey(file).empty()) {
        return armFail(400, "InvalidSecretVolume",
                       "The file name '{}' of secret volume '{}' in container group '{}' is "
                       "invalid. It may contain only letters, numbers, '-', '_' and '.'.",
                       file, v.name, group.name);
      }
      if (!base64Decode(content)) {
        return armFail(400, "InvalidSecretVolume",
                       "The value of file '{}' in secret volume '{}' of container group '{}' is "
                       "invalid. Secret volume values must be base64-encoded.",
                       file, v.name, group.name);
      }
    }
  }
  return {};
}

ArmStatus checkCredentials(const ContainerGroup& group) {
  const auto& creds = group.properties.imageRegistryCredentials;
  if (creds.size() > group.properties.containers.size() + group.properties.initContainers.size()) {
    return armFail(400, "MoreImageRegistryCredentialsThanContainers",
                   "More image registry credentials provided than containers in container group "
                   "'{}'.",
                   group.name);
  }
  for (const ImageRegistryCredential& c : creds) {
    if (c.server.empty()) {
      return armFail(400, "InvalidImageRegistryCredential",
                     "An image registry credential of container group '{}' has an empty "
                     "'server'.",
                     group.name);
    }
    if (!c.password && c.identity.empty()) {
      return armFail(400, "InvalidImageRegistryCredential",
                     "The image registry credential for server '{}' of container group '{}' is "
                     "invalid. Either 'password' or 'identity' must be specified.",
                     c.server, group.name);
    }
  }
  return {};
}

}  // namespace

ArmStatus validateVolumes(const ContainerGroup& group, const ValidationLimits& limits) {
  return checkVolumes(group, limits);
}

ArmStatus validateNetworkAndCredentials(const ContainerGroup& group,
                                        const ValidationLimits& limits) {
  ARM_TRY(checkIpAddress(group, limits));
  return checkCredentials(group);
}

}  // namespace berth::instances::internal
