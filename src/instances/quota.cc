#include "instances/quota.h"

namespace berth::instances {
namespace {

// Sums of decimal amounts like 0.1 + 0.2 must not exceed a limit of 0.3 by rounding.
constexpr double kEpsilon = 1e-9;

}  // namespace

double totalCpu(const ContainerGroup& group) {
  double sum = 0;
  for (const Container& c : group.properties.containers) {
    sum += c.resources.requests.cpu;
  }
  return sum;
}

double totalMemoryInGB(const ContainerGroup& group) {
  double sum = 0;
  for (const Container& c : group.properties.containers) {
    sum += c.resources.requests.memoryInGB;
  }
  return sum;
}

ArmStatus checkGroupQuota(const ContainerGroup& group, const GroupQuota& quota) {
  double cpu = totalCpu(group);
  if (cpu > quota.cpu + kEpsilon) {
    return armFail(400, "ContainerGroupQuotaReached",
                   "Resource type '{}' container group quota 'StandardCoresPerContainerGroup' "
                   "exceeded in container group '{}'. Limit: '{}', Requested: '{}'.",
                   kContainerGroupType, group.name, quota.cpu, cpu);
  }
  double memory = totalMemoryInGB(group);
  if (memory > quota.memoryInGB + kEpsilon) {
    return armFail(400, "ContainerGroupQuotaReached",
                   "Resource type '{}' container group quota 'MemoryInGBPerContainerGroup' "
                   "exceeded in container group '{}'. Limit: '{}', Requested: '{}'.",
                   kContainerGroupType, group.name, quota.memoryInGB, memory);
  }
  return {};
}

ArmStatus checkSubscriptionQuota(const ContainerGroup& group, bool isNew,
                                 const SubscriptionUsage& usage, const SubscriptionQuota& quota) {
  if (isNew && usage.containerGroups + 1 > quota.containerGroups) {
    return armFail(400, "ContainerGroupQuotaReached",
                   "Resource type '{}' container group quota 'ContainerGroups' exceeded in region "
                   "'{}'. Limit: '{}', Usage: '{}' Requested: '1'.",
                   kContainerGroupType, group.location, quota.containerGroups,
                   usage.containerGroups);
  }
  double cpu = totalCpu(group);
  if (usage.standardCores + cpu > quota.standardCores + kEpsilon) {
    return armFail(400, "ContainerGroupQuotaReached",
                   "Resource type '{}' container group quota 'StandardCores' exceeded in region "
                   "'{}'. Limit: '{}', Usage: '{}' Requested: '{}'.",
                   kContainerGroupType, group.location, quota.standardCores, usage.standardCores,
                   cpu);
  }
  return {};
}

}  // namespace berth::instances
