#pragma once

// The request paths of the ARM container-group API that Berth serves, parsed. ARM matches the
// literal segments ("resourceGroups", "providers", "Microsoft.ContainerInstance", ...)
// case-insensitively; the names in between are kept as written. Pure functions.
//
//   /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/
//     containerGroups                              kListByResourceGroup
//     containerGroups/{name}                       kGroup
//     containerGroups/{name}/{start|stop|restart}  kStart | kStop | kRestart
//     containerGroups/{name}/containers/{c}/logs   kLogs
//     containerGroups/{name}/containers/{c}/exec   kExec
//   /subscriptions/{s}[/resourceGroups/{rg}]/providers/Microsoft.ContainerInstance/
//     meteredUsage                                 kMeteredUsage (Berth's own, metering.h)
//   /subscriptions/{s}/providers/Microsoft.ContainerInstance/
//     containerGroups                              kListBySubscription
//     locations/{l}/operations/{id}                kOperation
//     locations/{l}/usages | capabilities | cachedImages
//                                                  kUsages | kCapabilities | kCachedImages

#include <optional>
#include <string>
#include <string_view>

namespace berth::instances {

enum class ArmTarget {
  kGroup,
  kListByResourceGroup,
  kListBySubscription,
  kStart,
  kStop,
  kRestart,
  kLogs,
  kExec,
  kOperation,
  kUsages,
  kCapabilities,
  kCachedImages,
  kMeteredUsage,
};

struct ArmPath {
  ArmTarget target = ArmTarget::kGroup;
  std::string subscriptionId;
  std::string resourceGroup;  // group targets, kListByResourceGroup, kMeteredUsage (or "")
  std::string name;           // the container group
  std::string container;      // kLogs, kExec
  std::string location;       // kOperation, kUsages, kCapabilities, kCachedImages
  std::string operationId;    // kOperation
  bool operator==(const ArmPath&) const = default;
};

// `path` is the percent-decoded request path without its query. nullopt when it is none of
// the above (a trailing '/' is ignored).
std::optional<ArmPath> parseArmPath(std::string_view path);

// Case-insensitive ASCII comparison (ARM's for names, subscriptions and resource groups).
bool armEquals(std::string_view a, std::string_view b);

}  // namespace berth::instances
