#include "instances/arm_resource.h"

#include <algorithm>
#include <cctype>

#include "base/base64.h"
#include "instances/container_group_codec.h"

namespace berth::instances {

using nlohmann::json;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string base64Url(const std::string& bytes) {
  std::string out = base64Encode(bytes);
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

std::optional<std::string> fromBase64Url(std::string text) {
  if (text.empty() || text.find_first_of("+/=") != std::string::npos) {
    return std::nullopt;
  }
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  while (text.size() % 4 != 0) {
    text += '=';
  }
  auto decoded = base64Decode(text);
  if (!decoded) {
    return std::nullopt;
  }
  return std::move(*decoded);
}

std::string annotation(const json& object, const char* key) {
  const json meta = object.value("metadata", json::object());
  const json annotations = meta.value("annotations", json::object());
  auto it = annotations.find(key);
  return it != annotations.end() && it->is_string() ? it->get<std::string>() : "";
}

json tagsOf(const json& object) {
  auto tags = json::parse(annotation(object, kTagsAnnotation), nullptr, false);
  return tags.is_object() ? tags : json::object();
}

bool inProgressState(const std::string& state) {
  return state.empty() || state == "Pending" || state == "Creating" || state == "Updating" ||
         state == "Accepted" || state == "Repairing";
}

}  // namespace

ContainerGroup withoutSecrets(const ContainerGroup& group) {
  GroupPath path{group.subscriptionId, group.resourceGroup, group.name};
  auto stripped = decodeContainerGroup(encodeContainerGroup(group), path, true);
  return stripped ? std::move(*stripped) : group;
}

json internalObject(const ContainerGroup& group, const std::string& desiredState,
                    const std::string& restartedAt, const std::string& operationStarted) {
  GroupKey key{group.subscriptionId, group.resourceGroup, group.name};
  json annotations = groupAnnotations(key);
  if (!operationStarted.empty()) {
    annotations[kOperationStartedAnnotation] = operationStarted;
  }
  annotations[kTagsAnnotation] = json(group.tags).dump();
  ContainerGroup untagged = group;
  untagged.tags.clear();
  json spec = {{"group", encodeContainerGroup(untagged)}, {"desiredState", desiredState}};
  if (!restartedAt.empty()) {
    spec["restartedAt"] = restartedAt;
  }
  return {{"apiVersion", std::string(kInternalApiGroup) + "/" + kInternalVersion},
          {"kind", kInternalKind},
          {"metadata",
           {{"name", group.name},
            {"namespace", podNamespace(group.subscriptionId, group.resourceGroup)},
            {"labels", groupLabels(key)},
            {"annotations", std::move(annotations)}}},
          {"spec", std::move(spec)}};
}

ArmResult<ContainerGroup> storedGroup(const json& object) {
  const json spec = object.value("spec", json::object());
  GroupPath path{annotation(object, kSubscriptionAnnotation),
                 annotation(object, kResourceGroupAnnotation),
                 object.value("metadata", json::object()).value("name", "")};
  json body = spec.value("group", json::object());
  body["tags"] = tagsOf(object);
  auto group = decodeContainerGroup(body, path, true);
  if (!group) {
    return armFail(500, "InternalServerError", "The stored container group '{}' is unreadable: {}",
                   path.name, group.error().message);
  }
  return group;
}

json armGroupJson(const json& object) {
  json out = object.value("spec", json::object()).value("group", json::object());
  out["tags"] = tagsOf(object);
  const json status = object.value("status", json::object());
  json& properties = out["properties"];
  if (!properties.is_object()) {
    properties = json::object();
  }
  std::string state = status.value("provisioningState", "");
  properties["provisioningState"] = state.empty() ? "Pending" : state;
  if (status.contains("instanceView") && status["instanceView"].is_object()) {
    properties["instanceView"] = status["instanceView"];
  }
  const json containers = status.value("containers", json::object());
  if (containers.is_object() && properties.contains("containers") &&
      properties["containers"].is_array()) {
    for (json& container : properties["containers"]) {
      std::string name = container.value("name", "");
      if (containers.contains(name) && container.contains("properties")) {
        container["properties"]["instanceView"] = containers[name];
      }
    }
  }
  std::string ip = status.value("ipAddress", "");
  if (!ip.empty() && properties.contains("ipAddress") && properties["ipAddress"].is_object()) {
    properties["ipAddress"]["ip"] = ip;
  }
  return out;
}

ArmError groupNotFound(const std::string& resourceGroup, const std::string& name) {
  return ArmError{404, "ResourceNotFound",
                  fmt::format("The Resource '{}/{}' under resource group '{}' was not found. For "
                              "more details please go to https://aka.ms/ARMResourceNotFoundFix",
                              kContainerGroupType, name, resourceGroup)};
}

std::string operationId(const OperationRef& ref) {
  return base64Url(fmt::format("{}\n{}\n{}\n{}", ref.key.subscriptionId, ref.key.resourceGroup,
                               ref.key.name, ref.generation));
}

std::optional<OperationRef> parseOperationId(const std::string& id) {
  auto text = fromBase64Url(id);
  if (!text) {
    return std::nullopt;
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text->find('\n', start);
    parts.push_back(text->substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  if (parts.size() != 4 || parts[0].empty() || parts[1].empty() || parts[2].empty() ||
      parts[3].empty() || parts[3].size() > 18 ||
      !std::all_of(parts[3].begin(), parts[3].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return OperationRef{{parts[0], parts[1], parts[2]}, std::stoll(parts[3])};
}

json operationStatus(const std::string& id, const OperationRef& ref, const json* object,
                     const std::string& now) {
  json out = {{"id", id}, {"name", operationId(ref)}};
  if (object == nullptr) {
    out["status"] = "Canceled";
    out["endTime"] = now;
    return out;
  }
  std::string started = annotation(*object, kOperationStartedAnnotation);
  if (started.empty()) {
    started = object->value("metadata", json::object()).value("creationTimestamp", "");
  }
  out["startTime"] = started;
  const json status = object->value("status", json::object());
  int64_t observed = status.value("observedGeneration", int64_t{0});
  std::string state = status.value("provisioningState", "");
  if (observed < ref.generation || inProgressState(state)) {
    out["status"] = "InProgress";
    return out;
  }
  out["endTime"] = now;
  if (state == "Succeeded") {
    out["status"] = "Succeeded";
  } else if (state == "Canceled") {
    out["status"] = "Canceled";
  } else {
    out["status"] = "Failed";
    out["error"] = {{"code", "ResourceDeploymentFailure"},
                    {"message", fmt::format("The resource operation completed with terminal "
                                            "provisioning state '{}'.",
                                            state)}};
  }
  return out;
}

std::string skipToken(const std::string& lastId) {
  return base64Url(lastId);
}

std::optional<std::string> parseSkipToken(const std::string& token) {
  return fromBase64Url(token);
}

ListPage pageOf(std::vector<json> groups, const std::optional<std::string>& afterId, size_t top) {
  auto idOf = [](const json& g) { return lower(g.value("id", "")); };
  std::sort(groups.begin(), groups.end(),
            [&idOf](const json& a, const json& b) { return idOf(a) < idOf(b); });
  ListPage page;
  std::string after = afterId ? lower(*afterId) : "";
  size_t remaining = 0;
  for (auto& group : groups) {
    if (afterId && idOf(group) <= after) {
      continue;
    }
    if (page.value.size() < std::max<size_t>(top, 1)) {
      page.value.push_back(std::move(group));
    } else {
      ++remaining;
    }
  }
  if (remaining > 0) {
    page.skipToken = skipToken(page.value.back().value("id", ""));
  }
  return page;
}

json usagesBody(const SubscriptionUsage& usage, const SubscriptionQuota& quota) {
  auto entry = [](const char* name, const char* localized, double current, double limit) {
    return json{{"unit", "Count"},
                {"currentValue", static_cast<int64_t>(current + 0.999999)},
                {"limit", static_cast<int64_t>(limit)},
                {"name", {{"value", name}, {"localizedValue", localized}}}};
  };
  return {{"value",
           {entry("ContainerGroups", "Container Groups", static_cast<double>(usage.containerGroups),
                  static_cast<double>(quota.containerGroups)),
            entry("StandardCores", "Standard Cores", usage.standardCores, quota.standardCores)}}};
}

json capabilitiesBody(const std::string& location, const GroupQuota& quota) {
  json value = json::array();
  for (const char* ipType : {"Public", "Private"}) {
    value.push_back(
        {{"resourceType", "containerGroups"},
         {"osType", "Linux"},
         {"location", location},
         {"ipAddressType", ipType},
         {"gpu", "None"},
         {"capabilities",
          {{"maxMemoryInGB", quota.memoryInGB}, {"maxCpu", quota.cpu}, {"maxGpuCount", 0}}}});
  }
  return {{"value", std::move(value)}};
}

json cachedImagesBody(const std::vector<std::string>& images) {
  json value = json::array();
  for (const auto& image : images) {
    value.push_back({{"osType", "Linux"}, {"image", image}});
  }
  return {{"value", std::move(value)}};
}

}  // namespace berth::instances
