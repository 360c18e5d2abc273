#include "instances/pod_naming.h"

#include <algorithm>
#include <cctype>

#include "base/sha256.h"
#include "instances/container_group.h"

namespace berth::instances {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string scopeHash(const std::string& subscriptionId, const std::string& resourceGroup) {
  std::string digest = Sha256::digestOf(lower(subscriptionId) + "/" + lower(resourceGroup));
  return digest.substr(std::string("sha256:").size(), 10);
}

std::string podNamespace(const std::string& subscriptionId, const std::string& resourceGroup) {
  // Resource group names allow letters, digits, '_', '-', '.', '(' and ')'; keep the readable
  // [a-z0-9] runs joined by single '-'.
  std::string readable;
  for (char c : lower(resourceGroup)) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      readable += c;
    } else if (!readable.empty() && readable.back() != '-') {
      readable += '-';
    }
  }
  // "aci-" (4) + readable (<= 48) + "-" (1) + hash (10) <= 63.
  readable = readable.substr(0, 48);
  while (!readable.empty() && readable.back() == '-') {
    readable.pop_back();
  }
  std::string hash = scopeHash(subscriptionId, resourceGroup);
  return readable.empty() ? "aci-" + hash : "aci-" + readable + "-" + hash;
}

std::map<std::string, std::string> groupLabels(const GroupKey& key) {
  return {{kGroupLabel, key.name},
          {kScopeLabel, scopeHash(key.subscriptionId, key.resourceGroup)},
          {kPoolLabel, kPoolValue}};
}

std::map<std::string, std::string> groupAnnotations(const GroupKey& key) {
  return {{kSubscriptionAnnotation, key.subscriptionId},
          {kResourceGroupAnnotation, key.resourceGroup},
          {kIdAnnotation, containerGroupId(key.subscriptionId, key.resourceGroup, key.name)}};
}

std::string envSecretName(const std::string& group) {
  return group + "--env";
}

std::string registrySecretName(const std::string& group) {
  return group + "--registry";
}

std::string volumeSecretName(const std::string& group, const std::string& volume) {
  return group + "--volume-" + volume;
}

std::optional<GroupKey> groupKeyOf(const api::ObjectMeta& meta) {
  auto sub = meta.annotations.find(kSubscriptionAnnotation);
  auto rg = meta.annotations.find(kResourceGroupAnnotation);
  auto name = meta.labels.find(kGroupLabel);
  if (sub == meta.annotations.end() || rg == meta.annotations.end() || name == meta.labels.end()) {
    return std::nullopt;
  }
  return GroupKey{sub->second, rg->second, name->second};
}

}  // namespace berth::instances
