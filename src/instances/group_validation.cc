#include "instances/group_validation.h"

#include "instances/validation_internal.h"

namespace berth::instances {

ArmStatus validateContainerGroup(const ContainerGroup& group, const ValidationLimits& limits) {
  const ContainerGroupProperties& p = group.properties;
  if (!isValidContainerGroupName(group.name)) {
    return std::unexpected(invalidGroupNameError(group.name));
  }
  if (group.location.empty()) {
    return armFail(400, "LocationRequired",
                   "The location property is required for this "
                   "definition.");
  }
  if (p.osType != "Linux" && p.osType != "Windows") {
    return armFail(400, "InvalidOsType",
                   "The 'osType' for container group '{}' is invalid. The value must be one of "
                   "'Windows,Linux'.",
                   group.name);
  }
  if (p.osType == "Windows" && !limits.allowWindows) {
    return armFail(400, "UnsupportedOsType",
                   "The 'osType' 'Windows' of container group '{}' is not supported. The "
                   "supported value is 'Linux'.",
                   group.name);
  }
  if (p.restartPolicy != "Always" && p.restartPolicy != "OnFailure" && p.restartPolicy != "Never") {
    return armFail(400, "InvalidRestartPolicy",
                   "The 'restartPolicy' '{}' of container group '{}' is invalid. The value must "
                   "be one of 'Always,OnFailure,Never'.",
                   p.restartPolicy, group.name);
  }
  if (p.sku != "Standard" && p.sku != "Dedicated" && p.sku != "Confidential") {
    return armFail(400, "InvalidContainerGroupSku",
                   "The 'sku' '{}' of container group '{}' is invalid. The value must be one of "
                   "'Standard,Dedicated,Confidential'.",
                   p.sku, group.name);
  }
  ARM_TRY(internal::validateVolumes(group, limits));
  ARM_TRY(internal::validateContainers(group, limits));
  ARM_TRY(internal::validateNetworkAndCredentials(group, limits));
  return checkGroupQuota(group, limits.quota);
}

}  // namespace berth::instances
