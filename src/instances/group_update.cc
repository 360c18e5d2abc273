#include "instances/group_update.h"

#include <algorithm>
#include <set>
#include <string>

namespace berth::instances {
namespace {

using PortSet = std::set<std::pair<int64_t, std::string>>;

PortSet portSet(const std::vector<ContainerPort>& ports) {
  PortSet out;
  for (const ContainerPort& p : ports) {
    out.insert({p.port, p.protocol.empty() ? "TCP" : p.protocol});
  }
  return out;
}

const Container* findContainer(const ContainerGroup& g, const std::string& name) {
  for (const Container& c : g.properties.containers) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

// The path of the first refused change, or "" if none.
std::string refusedChange(const ContainerGroup& a, const ContainerGroup& b) {
  if (a.properties.osType != b.properties.osType) {
    return "properties.osType";
  }
  if (a.properties.restartPolicy != b.properties.restartPolicy) {
    return "properties.restartPolicy";
  }
  for (const Container& c : a.properties.containers) {
    if (findContainer(b, c.name) == nullptr) {
      return "properties.containers['" + c.name + "']";
    }
  }
  for (const Container& c : b.properties.containers) {
    const Container* old = findContainer(a, c.name);
    std::string path = "properties.containers['" + c.name + "']";
    if (old == nullptr) {
      return path;
    }
    if (old->resources.requests != c.resources.requests ||
        old->resources.limits != c.resources.limits) {
      return path + ".properties.resources";
    }
    if (portSet(old->ports) != portSet(c.ports)) {
      return path + ".properties.ports";
    }
  }
  const std::optional<IpAddress>& ipA = a.properties.ipAddress;
  const std::optional<IpAddress>& ipB = b.properties.ipAddress;
  if (ipA.has_value() != ipB.has_value()) {
    return "properties.ipAddress";
  }
  if (ipA && (ipA->type != ipB->type || portSet(ipA->ports) != portSet(ipB->ports))) {
    return ipA->type != ipB->type ? "properties.ipAddress.type" : "properties.ipAddress.ports";
  }
  return "";
}

// The group without read-only fields, tags or envelope, for comparing specs.
ContainerGroup specOf(ContainerGroup g) {
  g.tags.clear();
  g.properties.provisioningState.clear();
  g.properties.instanceView.reset();
  if (g.properties.ipAddress) {
    g.properties.ipAddress->ip.clear();
    g.properties.ipAddress->fqdn.clear();
  }
  for (Container& c : g.properties.containers) {
    c.instanceView.reset();
  }
  for (InitContainer& c : g.properties.initContainers) {
    c.instanceView.reset();
  }
  return g;
}

}  // namespace

ArmResult<UpdateAction> checkUpdate(const ContainerGroup& existing, const ContainerGroup& desired) {
  if (!desired.location.empty() && existing.location != desired.location) {
    return armFail(409, "InvalidResourceLocation",
                   "The resource '{}' already exists in location '{}' in resource group '{}'. A "
                   "resource with the same name cannot be created in location '{}'. Please select "
                   "a new resource name.",
                   existing.name, existing.location, existing.resourceGroup, desired.location);
  }
  if (std::string changed = refusedChange(existing, desired); !changed.empty()) {
    return armFail(400, "InvalidContainerGroupUpdate",
                   "The updates on container group '{}' are invalid. If you are going to update "
                   "the os type, restart policy, network profile, CPU, memory or GPU resources "
                   "for a container group, you must delete it first and then create a new one. "
                   "Changed: '{}'.",
                   existing.name, changed);
  }
  if (specOf(existing) != specOf(desired)) {
    return UpdateAction::kRestart;
  }
  return existing.tags == desired.tags ? UpdateAction::kUnchanged : UpdateAction::kTagsOnly;
}

}  // namespace berth::instances
