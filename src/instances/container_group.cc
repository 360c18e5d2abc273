#include "instances/container_group.h"

namespace berth::instances {

std::string containerGroupId(const std::string& subscriptionId, const std::string& resourceGroup,
                             const std::string& name) {
  return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup + "/providers/" +
         kContainerGroupType + "/" + name;
}

std::string containerGroupId(const ContainerGroup& group) {
  return containerGroupId(group.subscriptionId, group.resourceGroup, group.name);
}

}  // namespace berth::instances
