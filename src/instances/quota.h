#pragma once

// Resource quotas of container groups: per group (ACI's Linux Standard default: 4 vCPU and
// 16 GB) and per subscription and location (ACI's defaults: 100 Standard cores, 100 groups).
// Both are configurable. Exceeding one is a 400 ContainerGroupQuotaReached, worded like ACI's
// quota message: "Resource type 'Microsoft.ContainerInstance/containerGroups' container group
// quota 'StandardCores' exceeded in region 'local'. Limit: '100', Usage: '98' Requested: '4'."
// Pure functions.

#include <cstdint>
#include <string>

#include "instances/arm_error.h"
#include "instances/container_group.h"

namespace berth::instances {

struct GroupQuota {
  double cpu = 4;
  double memoryInGB = 16;
};

struct SubscriptionQuota {
  double standardCores = 100;
  int64_t containerGroups = 100;
};

// What a subscription uses in a location now, not counting the group being written.
struct SubscriptionUsage {
  double standardCores = 0;
  int64_t containerGroups = 0;
};

// The sums of the containers' requests (init containers request nothing of their own).
double totalCpu(const ContainerGroup& group);
double totalMemoryInGB(const ContainerGroup& group);

// The group's total requests against `quota`; quota names 'StandardCoresPerContainerGroup' and
// 'MemoryInGBPerContainerGroup', scoped to the group rather than a region.
ArmStatus checkGroupQuota(const ContainerGroup& group, const GroupQuota& quota);

// Creating or growing `group` against the subscription's quota in group.location; quota names
// 'StandardCores' and 'ContainerGroups'. `isNew` counts the group itself against
// containerGroups.
ArmStatus checkSubscriptionQuota(const ContainerGroup& group, bool isNew,
                                 const SubscriptionUsage& usage, const SubscriptionQuota& quota);

}  // namespace berth::instances
