#include "apiserver/arm_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "apiserver/human_duration.h"
#include "apiserver/pod_subresources.h"
#include "apiserver/type_support.h"
#include "base/clock.h"
#include "instances/api_versions.h"
#include "instances/arm_resource.h"
#include "instances/container_group_codec.h"
#include "instances/group_to_pod.h"
#include "instances/group_update.h"
#include "instances/group_validation.h"
#include "instances/meter_record.h"
#include "instances/pod_naming.h"

namespace berth::apiserver {

using nlohmann::json;
namespace inst = berth::instances;
using inst::ArmError;
using inst::armFail;
using inst::ArmPath;
using inst::ArmResult;
using inst::ArmStatus;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string annotation(const json& object, const char* key) {
  const json* v = types::at(object, {"metadata", "annotations", key});
  return v && v->is_string() ? v->get<std::string>() : "";
}

std::string pathOf(const json& object) {
  return object.value("metadata", json::object()).value("name", "");
}

void clearUnsetValues(std::vector<inst::EnvironmentVariable>& variables) {
  for (auto& variable : variables) {
    if (!variable.value && !variable.secureValue) {
      variable.value = "";
    }
  }
}

ArmReply reply(int status, json body, std::map<std::string, std::string> headers = {}) {
  return ArmReply{status, std::move(body), std::move(headers)};
}

}  // namespace

ArmError toArmError(const ApiFailure& failure) {
  std::string message = failure.status.value("message", "");
  if (!message.empty() && message.back() != '.') {
    message += '.';
  }
  if (!message.empty()) {
    message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
  }
  std::string code = failure.status.value("reason", "");
  if (failure.code >= 500 || code.empty()) {
    code = failure.code >= 500 ? "InternalServerError" : "BadRequest";
  }
  return ArmError{failure.code, code, message};
}

ArmService::ArmService(ResourceHandlers& handlers, ArmOptions options)
    : handlers_(handlers), options_(std::move(options)) {
  auto& registry = handlers_.registry();
  groups_ = registry.find(inst::kInternalApiGroup, inst::kInternalVersion, inst::kInternalResource);
  namespaces_ = registry.find("", "v1", "namespaces");
  secrets_ = registry.find("", "v1", "secrets");
  pods_ = registry.find("", "v1", "pods");
  nodes_ = registry.find("", "v1", "nodes");
  meterRecords_ =
      registry.find(inst::kInternalApiGroup, inst::kInternalVersion, inst::kMeterRecordResource);
}

std::optional<json> ArmService::find(const ArmPath& path) const {
  auto cached = handlers_.objects().get(
      *groups_, inst::podNamespace(path.subscriptionId, path.resourceGroup), lower(path.name));
  if (!cached) {
    return std::nullopt;
  }
  return *cached->object;
}

std::vector<json> ArmService::groupsOf(const std::string& subscriptionId,
                                       const std::string& resourceGroup) const {
  std::string ns = resourceGroup.empty() ? "" : inst::podNamespace(subscriptionId, resourceGroup);
  std::vector<json> out;
  for (const auto& item : handlers_.objects().list(*groups_, ns).items) {
    const json& object = *item.object;
    if (!inst::armEquals(annotation(object, inst::kSubscriptionAnnotation), subscriptionId)) {
      continue;
    }
    if (!resourceGroup.empty() &&
        !inst::armEquals(annotation(object, inst::kResourceGroupAnnotation), resourceGroup)) {
      continue;
    }
    out.push_back(object);
  }
  return out;
}

std::map<std::string, std::string> ArmService::asyncHeader(const json& object,
                                                           const ArmCall& call) const {
  inst::OperationRef ref{{annotation(object, inst::kSubscriptionAnnotation),
                          annotation(object, inst::kResourceGroupAnnotation), pathOf(object)},
                         object.value("metadata", json::object()).value("generation", int64_t{1})};
  std::string location = object["spec"]["group"].value("location", "local");
  return {{"Azure-AsyncOperation",
           fmt::format("{}/subscriptions/{}/providers/Microsoft.ContainerInstance/locations/{}/"
                       "operations/{}?api-version={}",
                       call.baseUrl, http::percentEncode(ref.key.subscriptionId),
                       http::percentEncode(location), inst::operationId(ref),
                       http::percentEncode(call.apiVersion))}};
}

ArmResult<bool> ArmService::writeSecrets(const std::string& namespace_, const std::string& name,
                                         const std::vector<json>& secrets) {
  bool changed = false;
  std::vector<std::string> keep;
  for (const json& secret : secrets) {
    std::string secretName = pathOf(secret);
    keep.push_back(secretName);
    auto current = handlers_.objects().get(*secrets_, namespace_, secretName);
    if (!current) {
      auto created = handlers_.createObject(*secrets_, namespace_, secret, WriteOptions{});
      if (!created) {
        return std::unexpected(toArmError(created.error()));
      }
      changed = true;
      continue;
    }
    const json& old = *current->object;
    if (old.value("data", json::object()) == secret.value("data", json::object()) &&
        old.value("type", "") == secret.value("type", "Opaque")) {
      continue;
    }
    changed = true;
    auto updated = handlers_.updateObject(
        *secrets_, namespace_, secretName, "",
        [&secret](const json& existing) -> ApiResult<json> {
          json next = existing;
          next["data"] = secret.value("data", json::object());
          return next;
        },
        WriteOptions{});
    if (!updated) {
      return std::unexpected(toArmError(updated.error()));
    }
  }
  size_t before = 0;
  for (const auto& item : handlers_.objects().list(*secrets_, namespace_).items) {
    const json* label = types::at(*item.object, {"metadata", "labels", inst::kGroupLabel});
    before += label && label->is_string() && *label == name ? 1 : 0;
  }
  if (before != keep.size()) {
    changed = true;
  }
  ARM_TRY(deleteSecrets(namespace_, name, keep));
  return changed;
}

ArmStatus ArmService::deleteSecrets(const std::string& namespace_, const std::string& name,
                                    const std::vector<std::string>& keep) {
  for (const auto& item : handlers_.objects().list(*secrets_, namespace_).items) {
    const json& secret = *item.object;
    const json* label = types::at(secret, {"metadata", "labels", inst::kGroupLabel});
    std::string secretName = pathOf(secret);
    if (!label || !label->is_string() || *label != name ||
        std::find(keep.begin(), keep.end(), secretName) != keep.end()) {
      continue;
    }
    auto deleted = handlers_.deleteObject(*secrets_, namespace_, secretName, DeleteOptions{});
    if (!deleted && deleted.error().code != 404) {
      return std::unexpected(toArmError(deleted.error()));
    }
  }
  return {};
}

ArmResult<json> ArmService::updateGroup(const std::string& namespace_, const std::string& name,
                                        const std::function<void(json& object)>& mutate) {
  auto updated = handlers_.updateObject(
      *groups_, namespace_, name, "",
      [&mutate](const json& current) -> ApiResult<json> {
        json next = current;
        mutate(next);
        return next;
      },
      WriteOptions{});
  if (!updated) {
    return std::unexpected(toArmError(updated.error()));
  }
  return *updated;
}

ArmStatus ArmService::checkDnsNameLabel(const inst::ContainerGroup& group,
                                        const std::string& id) const {
  std::vector<inst::DnsLabelHolder> holders;
  for (const auto& item : handlers_.objects().list(*groups_, "").items) {
    const json& object = *item.object;
    const json* label =
        types::at(object, {"spec", "group", "properties", "ipAddress", "dnsNameLabel"});
    if (label && label->is_string()) {
      holders.push_back({annotation(object, inst::kIdAnnotation),
                         types::text(object, {"spec", "group", "location"}),
                         label->get<std::string>()});
    }
  }
  return inst::checkDnsNameLabel(group.properties.ipAddress->dnsNameLabel, group.location, id,
                                 holders);
}

ArmResult<ArmReply> ArmService::put(const ArmPath& path, const ArmCall& call) {
  json body = json::parse(call.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return armFail(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized: 'Unexpected "
                   "character encountered while parsing value. Path '', line 1, position 1.'.");
  }
  if (!inst::isValidContainerGroupName(path.name)) {
    return std::unexpected(inst::invalidGroupNameError(path.name));
  }
  auto decoded = inst::decodeContainerGroup(
      body, inst::GroupPath{path.subscriptionId, path.resourceGroup, path.name});
  if (!decoded) {
    return std::unexpected(decoded.error());
  }
  // A variable with neither value nor secureValue is a plain empty one: the stored spec keeps
  // {"name": ...} alone for secure values (the group controller reads it so).
  for (auto& container : decoded->properties.containers) {
    clearUnsetValues(container.environmentVariables);
  }
  for (auto& container : decoded->properties.initContainers) {
    clearUnsetValues(container.environmentVariables);
  }
  // The fqdn is the server's to set (the decoder drops one the client sent).
  if (auto& ip = decoded->properties.ipAddress; ip && !ip->dnsNameLabel.empty()) {
    ip->fqdn = inst::groupFqdn(ip->dnsNameLabel, decoded->location, options_.dnsZone);
  }
  const inst::ContainerGroup& group = *decoded;
  inst::ValidationLimits limits;
  limits.quota = options_.groupQuota;
  ARM_TRY(inst::validateContainerGroup(group, limits));

  const std::string ns = inst::podNamespace(path.subscriptionId, path.resourceGroup);
  std::optional<json> existing = find(path);
  inst::UpdateAction action = inst::UpdateAction::kRestart;
  if (existing) {
    auto stored = inst::storedGroup(*existing);
    if (!stored) {
      return std::unexpected(stored.error());
    }
    auto checked = inst::checkUpdate(*stored, inst::withoutSecrets(group));
    if (!checked) {
      return std::unexpected(checked.error());
    }
    action = *checked;
  }
  // The subscription's usage in the group's location, without the group itself.
  inst::SubscriptionUsage usage;
  for (const json& other : groupsOf(path.subscriptionId, "")) {
    if (existing &&
        annotation(other, inst::kIdAnnotation) == annotation(*existing, inst::kIdAnnotation)) {
      continue;
    }
    auto otherGroup = inst::storedGroup(other);
    if (!otherGroup || !inst::armEquals(otherGroup->location, group.location)) {
      continue;
    }
    ++usage.containerGroups;
    if (types::text(other, {"spec", "desiredState"}) != inst::kDesiredStopped) {
      usage.standardCores += inst::totalCpu(*otherGroup);
    }
  }
  ARM_TRY(inst::checkSubscriptionQuota(group, !existing, usage, options_.subscriptionQuota));
  std::unique_lock<std::mutex> labelLock;
  if (group.properties.ipAddress && !group.properties.ipAddress->dnsNameLabel.empty()) {
    labelLock = std::unique_lock<std::mutex>(*dnsLabelMu_);
    ARM_TRY(checkDnsNameLabel(
        group, inst::containerGroupId(path.subscriptionId, path.resourceGroup, path.name)));
  }
  auto objects = inst::groupToPod(group);
  if (!objects) {
    return armFail(400, "InvalidRequestContent", "The container group '{}' is invalid: {}.",
                   path.name, objects.error().message());
  }

  // Nothing was refused: write the namespace, the secrets, then the group.
  if (!handlers_.objects().get(*namespaces_, "", ns)) {
    auto created = handlers_.createObject(*namespaces_, "", objects->namespaceObject, {});
    if (!created && created.error().code != 409) {
      return std::unexpected(toArmError(created.error()));
    }
  }
  auto secretsChanged = writeSecrets(ns, group.name, objects->secrets);
  if (!secretsChanged) {
    return std::unexpected(secretsChanged.error());
  }
  const std::string now = rfc3339(handlers_.clock().now());
  const inst::ContainerGroup stripped = inst::withoutSecrets(group);
  if (!existing) {
    json object = inst::internalObject(stripped, inst::kDesiredRunning, "", now);
    object["status"] = {{"provisioningState", "Pending"}};
    auto created = handlers_.createObject(*groups_, ns, object, WriteOptions{});
    if (!created) {
      // Leave nothing half-made: the group's secrets go with the failed create.
      (void)deleteSecrets(ns, group.name, {});
      return std::unexpected(toArmError(created.error()));
    }
    return reply(201, inst::armGroupJson(*created), asyncHeader(*created, call));
  }
  if (action == inst::UpdateAction::kUnchanged && *secretsChanged) {
    action = inst::UpdateAction::kRestart;
  }
  std::string desiredState = types::text(*existing, {"spec", "desiredState"});
  std::string restartedAt = types::text(*existing, {"spec", "restartedAt"});
  bool restart = action == inst::UpdateAction::kRestart;
  auto updated = updateGroup(ns, group.name, [&](json& object) {
    json next = inst::internalObject(
        stripped, desiredState.empty() ? "Running" : desiredState, restart ? now : restartedAt,
        restart ? now : annotation(object, inst::kOperationStartedAnnotation));
    object["spec"] = next["spec"];
    for (const auto& [key, value] : next["metadata"]["annotations"].items()) {
      object["metadata"]["annotations"][key] = value;
    }
  });
  if (!updated) {
    return std::unexpected(updated.error());
  }
  return reply(200, inst::armGroupJson(*updated), asyncHeader(*updated, call));
}

ArmResult<ArmReply> ArmService::patch(const ArmPath& path, const ArmCall& call) {
  json body = json::parse(call.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return armFail(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized.");
  }
  auto existing = find(path);
  if (!existing) {
    return std::unexpected(inst::groupNotFound(path.resourceGroup, path.name));
  }
  json tags = body.value("tags", json::object());
  if (!tags.is_object()) {
    return armFail(400, "InvalidRequestContent",
                   "The request content was invalid and could not be deserialized: 'Error "
                   "converting value to type 'Dictionary'. Path 'tags'.'.");
  }
  for (const auto& [key, value] : tags.items()) {
    if (!value.is_string()) {
      return armFail(400, "InvalidRequestContent",
                     "The request content was invalid and could not be deserialized: 'Error "
                     "converting value to type 'string'. Path 'tags.{}'.'.",
                     key);
    }
  }
  auto updated = updateGroup(inst::podNamespace(path.subscriptionId, path.resourceGroup),
                             pathOf(*existing), [&tags](json& object) {
                               object["metadata"]["annotations"][inst::kTagsAnnotation] =
                                   tags.dump();
                             });
  if (!updated) {
    return std::unexpected(updated.error());
  }
  return reply(200, inst::armGroupJson(*updated));
}

ArmResult<ArmReply> ArmService::get(const ArmPath& path) {
  auto existing = find(path);
  if (!existing) {
    return std::unexpected(inst::groupNotFound(path.resourceGroup, path.name));
  }
  return reply(200, inst::armGroupJson(*existing));
}

ArmResult<ArmReply> ArmService::list(const ArmPath& path, const ArmCall& call) {
  size_t top = options_.pageSize;
  if (auto given = call.query.get("$top")) {
    char* end = nullptr;
    long long n = std::strtoll(given->c_str(), &end, 10);
    if (given->empty() || *end != '\0' || n < 1) {
      return armFail(400, "InvalidParameter",
                     "The value '{}' of query parameter '$top' is invalid.", *given);
    }
    top = static_cast<size_t>(n);
  }
  std::optional<std::string> after;
  if (auto token = call.query.get("$skipToken")) {
    after = inst::parseSkipToken(*token);
    if (!after) {
      return armFail(400, "InvalidSkipToken", "The skip token '{}' is invalid.", *token);
    }
  }
  std::vector<json> groups;
  for (const json& object : groupsOf(path.subscriptionId, path.resourceGroup)) {
    groups.push_back(inst::armGroupJson(object));
  }
  auto page = inst::pageOf(std::move(groups), after, top);
  json out = {{"value", std::move(page.value)}};
  if (page.skipToken) {
    std::string link = fmt::format("{}{}?api-version={}&$skipToken={}", call.baseUrl, call.path,
                                   http::percentEncode(call.apiVersion), *page.skipToken);
    if (call.query.has("$top")) {
      link += fmt::format("&$top={}", top);
    }
    out["nextLink"] = link;
  }
  return reply(200, std::move(out));
}

ArmResult<ArmReply> ArmService::remove(const ArmPath& path) {
  auto existing = find(path);
  const std::string ns = inst::podNamespace(path.subscriptionId, path.resourceGroup);
  if (!existing) {
    ARM_TRY(deleteSecrets(ns, lower(path.name), {}));
    return ArmReply{204, std::nullopt, {}};
  }
  ARM_TRY(closeMeterRecords(ns, pathOf(*existing), inst::kMeterEndDeleted));
  auto deleted = handlers_.deleteObject(*groups_, ns, pathOf(*existing), DeleteOptions{});
  if (!deleted && deleted.error().code != 404) {
    return std::unexpected(toArmError(deleted.error()));
  }
  ARM_TRY(deleteSecrets(ns, pathOf(*existing), {}));
  return reply(200, inst::armGroupJson(*existing));
}

ArmResult<ArmReply> ArmService::action(const ArmPath& path, const ArmCall& call) {
  auto existing = find(path);
  if (!existing) {
    return std::unexpected(inst::groupNotFound(path.resourceGroup, path.name));
  }
  const std::string ns = inst::podNamespace(path.subscriptionId, path.resourceGroup);
  const std::string now = rfc3339(handlers_.clock().now());
  const bool stopped = types::text(*existing, {"spec", "desiredState"}) == inst::kDesiredStopped;
  if (path.target == inst::ArmTarget::kStop) {
    if (!stopped) {
      auto updated = updateGroup(ns, pathOf(*existing), [](json& object) {
        object["spec"]["desiredState"] = inst::kDesiredStopped;
      });
      if (!updated) {
        return std::unexpected(updated.error());
      }
    }
    // Billing ends at the moment of the stop (a stopped group costs nothing).
    ARM_TRY(closeMeterRecords(ns, pathOf(*existing), inst::kMeterEndStopped));
    return ArmReply{204, std::nullopt, {}};
  }
  if (path.target == inst::ArmTarget::kStart && !stopped) {
    return ArmReply{204, std::nullopt, {}};
  }
  auto updated = updateGroup(ns, pathOf(*existing), [&now](json& object) {
    object["spec"]["desiredState"] = inst::kDesiredRunning;
    object["spec"]["restartedAt"] = now;
    object["metadata"]["annotations"][inst::kOperationStartedAnnotation] = now;
  });
  if (!updated) {
    return std::unexpected(updated.error());
  }
  if (path.target == inst::ArmTarget::kStart) {
    return ArmReply{202, std::nullopt, asyncHeader(*updated, call)};
  }
  return ArmReply{204, std::nullopt, {}};
}

ArmResult<ArmReply> ArmService::operation(const ArmPath& path, const ArmCall& call) {
  auto ref = inst::parseOperationId(path.operationId);
  if (!ref || !inst::armEquals(ref->key.subscriptionId, path.subscriptionId)) {
    return armFail(404, "OperationNotFound", "The operation '{}' could not be found.",
                   path.operationId);
  }
  ArmPath groupPath;
  groupPath.subscriptionId = ref->key.subscriptionId;
  groupPath.resourceGroup = ref->key.resourceGroup;
  groupPath.name = ref->key.name;
  auto object = find(groupPath);
  json status = inst::operationStatus(call.path, *ref, object ? &*object : nullptr,
                                      rfc3339(handlers_.clock().now()));
  return reply(200, std::move(status));
}

ArmResult<ArmReply> ArmService::location(const ArmPath& path) {
  switch (path.target) {
    case inst::ArmTarget::kUsages: {
      inst::SubscriptionUsage usage;
      for (const json& object : groupsOf(path.subscriptionId, "")) {
        auto group = inst::storedGroup(object);
        if (!group || !inst::armEquals(group->location, path.location)) {
          continue;
        }
        ++usage.containerGroups;
        if (types::text(object, {"spec", "desiredState"}) != inst::kDesiredStopped) {
          usage.standardCores += inst::totalCpu(*group);
        }
      }
      return reply(200, inst::usagesBody(usage, options_.subscriptionQuota));
    }
    case inst::ArmTarget::kCapabilities:
      return reply(200, inst::capabilitiesBody(path.location, options_.groupQuota));
    default: {
      std::set<std::string> images;
      for (const auto& item : handlers_.objects().list(*nodes_, "").items) {
        const json& node = *item.object;
        if (types::text(node, {"metadata", "labels", inst::kPoolLabel}) != inst::kPoolValue) {
          continue;
        }
        const json* listed = types::at(node, {"status", "images"});
        if (!listed || !listed->is_array()) {
          continue;
        }
        for (const json& image : *listed) {
          for (const json& name : image.value("names", json::array())) {
            // Digest references and bare ids name the same images again.
            if (name.is_string() && name.get<std::string>().find("sha256:") == std::string::npos) {
              images.insert(name.get<std::string>());
            }
          }
        }
      }
      return reply(200, inst::cachedImagesBody({images.begin(), images.end()}));
    }
  }
}

ArmResult<inst::ContainerGroup> ArmService::groupWithContainer(const ArmPath& path,
                                                               bool includeInit) const {
  auto existing = find(path);
  if (!existing) {
    return std::unexpected(inst::groupNotFound(path.resourceGroup, path.name));
  }
  auto group = inst::storedGroup(*existing);
  if (!group) {
    return std::unexpected(group.error());
  }
  auto named = [&](const auto& c) { return c.name == path.container; };
  if (std::ranges::none_of(group->properties.containers, named) &&
      (!includeInit || std::ranges::none_of(group->properties.initContainers, named))) {
    return armFail(404, "ContainerNotFound",
                   "The container '{}' could not be found in container group '{}'.", path.container,
                   group->name);
  }
  return group;
}

ArmResult<ArmLogTarget> ArmService::logTarget(const ArmPath& path, const ArmCall& call) {
  auto group = groupWithContainer(path, /*includeInit=*/true);
  if (!group) {
    return std::unexpected(group.error());
  }
  const std::string ns = inst::podNamespace(path.subscriptionId, path.resourceGroup);
  auto pod = handlers_.objects().get(*pods_, ns, group->name);
  std::string node = pod ? types::text(*pod->object, {"spec", "nodeName"}) : "";
  if (node.empty()) {
    return ArmLogTarget{"", false};
  }
  auto endpoint = nodeEndpoint(handlers_, node);
  if (!endpoint) {
    return armFail(503, "ServiceUnavailable", "The node of container group '{}' is unreachable.",
                   group->name);
  }
  std::string query;
  if (auto tail = call.query.get("tail"); tail && !tail->empty()) {
    query += "&tailLines=" + http::percentEncode(*tail);
  }
  if (auto timestamps = call.query.flag("timestamps"); timestamps && *timestamps) {
    query += "&timestamps=true";
  }
  if (!query.empty()) {
    query[0] = '?';
  }
  std::string host =
      endpoint->host.find(':') != std::string::npos ? "[" + endpoint->host + "]" : endpoint->host;
  return ArmLogTarget{fmt::format("https://{}:{}/containerLogs/{}/{}/{}{}", host, endpoint->port,
                                  http::percentEncode(ns), http::percentEncode(group->name),
                                  http::percentEncode(path.container), query),
                      true};
}

}  // namespace berth::apiserver
