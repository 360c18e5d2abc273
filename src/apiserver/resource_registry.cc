// ResourceRegistry: the served resource types in the order they were added (discovery order).

#include <algorithm>

#include "apiserver/resource_type.h"

namespace berth::apiserver {

void ResourceRegistry::add(ResourceType type) {
  types_.push_back(std::make_shared<const ResourceType>(std::move(type)));
}

ResourceTypePtr ResourceRegistry::find(std::string_view group, std::string_view version,
                                       std::string_view resource) const {
  for (const auto& type : types_) {
    if (type->group == group && type->version == version && type->resource == resource) {
      return type;
    }
  }
  return nullptr;
}

std::vector<std::string> ResourceRegistry::versions(std::string_view group) const {
  std::vector<std::string> out;
  for (const auto& type : types_) {
    if (type->group == group && std::find(out.begin(), out.end(), type->version) == out.end()) {
      out.push_back(type->version);
    }
  }
  return out;
}

std::vector<std::string> ResourceRegistry::groups() const {
  std::vector<std::string> out;
  bool core = false;
  for (const auto& type : types_) {
    if (type->group.empty()) {
      core = true;
    } else if (std::find(out.begin(), out.end(), type->group) == out.end()) {
      out.push_back(type->group);
    }
  }
  if (core) {
    out.insert(out.begin(), "");
  }
  return out;
}

}  // namespace berth::apiserver
