#pragma once

// Where a container group lives as Kubernetes objects. One pod per group:
//   namespace  "aci-<resource group, sanitised and cut>-<10 hex of sha256(sub/rg)>" (a DNS-1123
//              label; ARM compares subscription and resource group case-insensitively, so both
//              are lower-cased before hashing)
//   pod        the group name (already a DNS-1123 label)
//   secrets    "<group>--env" (secure environment values), "<group>--registry" (image pull
//              credentials), "<group>--volume-<volume>" (secret volumes); group names never
//              contain "--", so these cannot collide across groups
// Labels (valid label values): instances.berth.io/group = group name, instances.berth.io/scope =
// the 10-hex hash, berth.io/pool = instances. Annotations keep the exact ARM values:
// instances.berth.io/subscription, instances.berth.io/resource-group, instances.berth.io/id.
// Pure functions.

#include <map>
#include <optional>
#include <string>

#include "api/pod.h"

namespace berth::instances {

inline constexpr const char* kPoolLabel = "berth.io/pool";
inline constexpr const char* kPoolValue = "instances";
inline constexpr const char* kGroupLabel = "instances.berth.io/group";
inline constexpr const char* kScopeLabel = "instances.berth.io/scope";
inline constexpr const char* kSubscriptionAnnotation = "instances.berth.io/subscription";
inline constexpr const char* kResourceGroupAnnotation = "instances.berth.io/resource-group";
inline constexpr const char* kIdAnnotation = "instances.berth.io/id";

struct GroupKey {
  std::string subscriptionId;
  std::string resourceGroup;
  std::string name;
  bool operator==(const GroupKey&) const = default;
};

// 10 hex digits identifying (subscription, resource group), case-insensitively.
std::string scopeHash(const std::string& subscriptionId, const std::string& resourceGroup);

std::string podNamespace(const std::string& subscriptionId, const std::string& resourceGroup);

// The labels every object of the group carries (pod, secrets).
std::map<std::string, std::string> groupLabels(const GroupKey& key);
std::map<std::string, std::string> groupAnnotations(const GroupKey& key);

std::string envSecretName(const std::string& group);
std::string registrySecretName(const std::string& group);
std::string volumeSecretName(const std::string& group, const std::string& volume);

// The group a pod stands for, from its annotations and name; nullopt for pods that are not
// container groups.
std::optional<GroupKey> groupKeyOf(const api::ObjectMeta& meta);

}  // namespace berth::instances
