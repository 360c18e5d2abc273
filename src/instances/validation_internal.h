#pragma once

// Internal to src/instances: the parts of validateContainerGroup, one file each.

#include "instances/group_validation.h"

namespace berth::instances::internal {

// Containers and init containers: names, images, resources, the group-total rule, ports,
// environment variables, volume mounts and probes.
ArmStatus validateContainers(const ContainerGroup& group, const ValidationLimits& limits);

// Volumes (checked before the containers that mount them).
ArmStatus validateVolumes(const ContainerGroup& group, const ValidationLimits& limits);

// ipAddress and imageRegistryCredentials.
ArmStatus validateNetworkAndCredentials(const ContainerGroup& group,
                                        const ValidationLimits& limits);

}  // namespace berth::instances::internal
