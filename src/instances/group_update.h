#pragma once

// What a re-PUT of an existing container group means (ACI's update rules, reference §1.10):
// a change to the OS type, the restart policy, a container's CPU, memory or GPU (requests or
// limits; adding or removing a container changes the group's resources too) or to the ports
// (a container's ports, the ipAddress ports or its type) is refused with ACI's 400
// InvalidContainerGroupUpdate ("The updates on container group 'g' are invalid. If you are going
// to update the os type, restart policy, network profile, CPU, memory or GPU resources for a
// container group, you must delete it first and then create a new one."), followed by the first
// field that changed ("Changed: 'properties.osType'."). A different location is ARM's 409
// InvalidResourceLocation. Any other change redeploys the group: all containers restart in place.
// Pure functions.

#include "instances/arm_error.h"
#include "instances/container_group.h"

namespace berth::instances {

enum class UpdateAction {
  kUnchanged,  // same spec and tags: nothing to do
  kTagsOnly,   // only tags differ: store them, leave the containers running
  kRestart,    // redeploy: restart all containers with the new spec
};

// `existing` is the stored group, `desired` the decoded and validated PUT body. Read-only
// fields of both are ignored.
ArmResult<UpdateAction> checkUpdate(const ContainerGroup& existing, const ContainerGroup& desired);

}  // namespace berth::instances
