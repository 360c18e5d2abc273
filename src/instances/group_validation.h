#pragma once

// Checks a decoded container group as ACI does before accepting a PUT. The first problem found
// is returned as an ArmError (all 400 Bad Request); codes and messages are ACI's where known
// (marked "ACI" below), otherwise chosen to name the field:
//   InvalidContainerGroupName          group name: 1-63 of [a-z0-9-], no '-' at either end, no "--"
//   LocationRequired (ARM)             no "location"
//   InvalidOsType (ACI)                osType missing or not Linux|Windows
//   UnsupportedOsType                  Windows when !limits.allowWindows
//   InvalidRestartPolicy               not Always|OnFailure|Never
//   InvalidContainerGroupSku           not Standard|Dedicated|Confidential
//   MissingContainers / TooManyContainers / TooManyInitContainers
//   InvalidContainerName (ACI message) container or init container name
//   DuplicateContainerNames            a name used twice (containers and init containers)
//   InvalidContainerImage              empty image
//   ResourceRequestsNotSpecified (ACI) requests or their cpu/memoryInGB missing
//   InvalidResourceRequests            cpu or memoryInGB <= 0, gpu count < 1
//   InvalidResourceLimits              a limit <= 0
//   ResourceLimitsLessThanRequests (ACI)
//   ContainerLimitGreaterThanContainerGroupTotalRequest (ACI)  a limit above the group's total
//   InvalidContainerPort               a port outside 1-65535 or a protocol not TCP|UDP
//   DuplicateContainerPorts            two containers expose the same port and protocol
//   InvalidContainerEnvironmentVariable (ACI)  a bad name, or both value and secureValue
//   InvalidVolumeMount                 mount of an undeclared volume, a mountPath that is not
//                                      absolute or contains ':'
//   InvalidContainerProbe              not exactly one of exec/httpGet, bad port/scheme, a
//                                      negative period/threshold/timeout
//   MissingIpAddressPorts (ACI)        ipAddress.ports empty
//   InvalidIpAddressType               not Public|Private
//   InvalidIpAddressPort               out of range / bad protocol / TooManyIpAddressPorts
//   IpAddressPortNotExposed            an ipAddress port no container lists
//   InvalidDnsNameLabel                not 5-63 of [a-z0-9-] with alphanumeric ends
//   InvalidVolume / UnsupportedVolumeType / DuplicateVolumeNames / TooManyVolumes
//   InvalidSecretVolume                a file name that is not a valid key, a value not base64
//   InvalidImageRegistryCredential     empty server, or no password and no identity
//   MoreImageRegistryCredentialsThanContainers (ACI)
//   ContainerGroupQuotaReached (ACI code)  see quota.h
// Pure functions.

#include <string_view>

#include "instances/arm_error.h"
#include "instances/container_group.h"
#include "instances/quota.h"

namespace berth::instances {

struct ValidationLimits {
  GroupQuota quota;
  int maxContainers = 60;  // ACI hard limits
  int maxInitContainers = 59;
  int maxVolumes = 20;
  int maxIpAddressPorts = 5;
  bool allowWindows = false;  // Berth's agents run Linux containers only
};

ArmStatus validateContainerGroup(const ContainerGroup& group, const ValidationLimits& limits = {});

// The naming rules, for the API layer to check path segments before decoding a body.
bool isValidContainerGroupName(std::string_view name);       // 1-63 [a-z0-9-], no edge '-', no "--"
bool isValidContainerName(std::string_view name);            // 1-63 [a-z0-9-], no edge '-'
bool isValidDnsNameLabel(std::string_view label);            // 5-63 [a-z0-9-], no edge '-'
bool isValidEnvironmentVariableName(std::string_view name);  // [A-Za-z_][A-Za-z0-9_]*

// The ArmError for a bad group name (used by validateContainerGroup too).
ArmError invalidGroupNameError(std::string_view name);

}  // namespace berth::instances
