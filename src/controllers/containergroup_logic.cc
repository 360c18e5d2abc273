#include "controllers/containergroup_logic.h"

#include "api/pod_codec.h"
#include "base/sha256.h"
#include "controllers/controller_utils.h"
#include "instances/container_group_codec.h"
#include "instances/group_to_pod.h"
#include "instances/pod_naming.h"

namespace berth::controllers {

namespace {

std::string annotation(const json& object, const char* name) {
  const json* meta =
      object.is_object() && object.contains("metadata") ? &object["metadata"] : nullptr;
  if (meta == nullptr || !meta->is_object() || !meta->contains("annotations")) {
    return "";
  }
  const json& annotations = (*meta)["annotations"];
  auto it = annotations.is_object() ? annotations.find(name) : annotations.end();
  return annotations.is_object() && it != annotations.end() && it->is_string()
             ? it->get<std::string>()
             : "";
}

// The stored spec has no secrets: a secure environment variable is {"name": ...} only, a
// registry credential has no password. groupToPod turns secure values and passwords into
// references to the Secrets the ARM layer wrote, so put placeholders back (their values go
// into Secret objects this controller never writes).
void restoreSecretReferences(instances::ContainerGroup& group) {
  auto restore = [](std::vector<instances::EnvironmentVariable>& env) {
    for (auto& e : env) {
      if (!e.value && !e.secureValue) {
        e.secureValue = "";
      }
    }
  };
  for (auto& c : group.properties.containers) {
    restore(c.environmentVariables);
  }
  for (auto& c : group.properties.initContainers) {
    restore(c.environmentVariables);
  }
  for (auto& cred : group.properties.imageRegistryCredentials) {
    // Identity-only credentials have no Berth equivalent (groupToPod skips them).
    if (cred.identity.empty() && !cred.password) {
      cred.password = "";
    }
  }
}

bool controlledBy(const json& pod, const json& object) {
  auto ref = controllerRef(pod);
  return ref && ref->value("uid", "") == metaString(object, "uid");
}

bool isContainerGroupRef(const json& ref) {
  return ref.value("kind", "") == kContainerGroupKind &&
         ref.value("apiVersion", "") == kContainerGroupApiVersion;
}

// Every container (init containers included) with an empty view, or the last known one.
json containerViews(const GroupObject& group, const json& previous) {
  json out = json::object();
  auto add = [&](const std::string& name) {
    if (previous.is_object() && previous.contains(name)) {
      out[name] = previous[name];
    } else {
      out[name] = {{"restartCount", 0}, {"events", json::array()}};
    }
  };
  for (const auto& c : group.group.properties.initContainers) {
    add(c.name);
  }
  for (const auto& c : group.group.properties.containers) {
    add(c.name);
  }
  return out;
}

// The views of a stopped group's containers: the last known ones, where a container that was
// running or waiting is now terminated ("Stopped", finished `now`), its last state kept as the
// previous one. Views already terminated stay as they are.
json stoppedViews(const GroupObject& group, const json& previous, Clock::WallTime now) {
  json out = containerViews(group, previous);
  for (auto& [name, view] : out.items()) {
    json current = view.value("currentState", json());
    std::string state = current.is_object() ? current.value("state", "") : "";
    if (state != "Running" && state != "Waiting") {
      continue;
    }
    json stopped = {
        {"state", "Terminated"}, {"detailStatus", "Stopped"}, {"finishTime", rfc3339(now)}};
    if (current.contains("startTime")) {
      stopped["startTime"] = current["startTime"];
    }
    view["previousState"] = current;
    view["currentState"] = stopped;
  }
  return out;
}

json statusOfPod(const GroupObject& group, const json& pod,
                 const std::vector<instances::PodEvent>& events, Clock::WallTime now) {
  json status = json::object();
  auto decoded = api::decodePod(pod);
  if (!decoded) {
    // The API server validated it: cannot happen short of a codec mismatch.
    status["provisioningState"] = "Pending";
    status["instanceView"] = {{"state", "Pending"}, {"events", json::array()}};
    status["containers"] = containerViews(group, json());
    return status;
  }
  instances::GroupStatus view = instances::statusFromPod(*decoded, events, now);
  instances::ContainerGroup shown = group.group;
  instances::applyStatus(shown, view);
  // The ARM encoding of the views, as GET shows them.
  json props = instances::encodeContainerGroup(shown)["properties"];
  status["provisioningState"] = view.provisioningState;
  status["instanceView"] = props.value("instanceView", json::object());
  json containers = json::object();
  for (const char* list : {"initContainers", "containers"}) {
    for (const auto& c : props.value(list, json::array())) {
      const json& p = c.value("properties", json::object());
      containers[c.value("name", "")] =
          p.value("instanceView", json{{"restartCount", 0}, {"events", json::array()}});
    }
  }
  status["containers"] = containers;
  std::string ip = props.value("ipAddress", json::object()).value("ip", "");
  if (!ip.empty()) {
    status["ipAddress"] = ip;
  }
  status["podUid"] = metaString(pod, "uid");
  const json& podStatus = pod.value("status", json::object());
  if (podStatus.contains("startTime") && podStatus["startTime"].is_string()) {
    status["startTime"] = podStatus["startTime"];
  }
  return status;
}

}  // namespace

client::Resource containerGroups(std::string ns) {
  return {"instances.berth.io", "v1", "containergroups", std::move(ns)};
}

Result<GroupObject> readGroupObject(const json& object) {
  GroupObject out;
  std::string name = metaString(object, "name");
  std::string subscription = annotation(object, instances::kSubscriptionAnnotation);
  std::string resourceGroup = annotation(object, instances::kResourceGroupAnnotation);
  if (subscription.empty() || resourceGroup.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "containergroup '{}': annotations '{}' and '{}' are required", name,
                instances::kSubscriptionAnnotation, instances::kResourceGroupAnnotation);
  }
  const json spec = object.value("spec", json::object());
  auto groupIt = spec.find("group");
  if (groupIt == spec.end() || !groupIt->is_object()) {
    return fail(ErrorCode::kInvalidArgument, "containergroup '{}': 'spec.group' is required", name);
  }
  auto decoded = instances::decodeContainerGroup(*groupIt, {subscription, resourceGroup, name});
  if (!decoded) {
    return fail(ErrorCode::kInvalidArgument, "containergroup '{}': 'spec.group': {}", name,
                decoded.error().message);
  }
  out.group = std::move(*decoded);
  restoreSecretReferences(out.group);
  out.running = spec.value("desiredState", "Running") != "Stopped";
  auto restarted = spec.find("restartedAt");
  if (restarted != spec.end() && restarted->is_string()) {
    out.restartedAt = restarted->get<std::string>();
  }
  auto secrets = spec.find("secretsHash");
  if (secrets != spec.end() && secrets->is_string()) {
    out.secretsHash = secrets->get<std::string>();
  }
  const json meta = object.value("metadata", json::object());
  auto generation = meta.find("generation");
  if (generation != meta.end() && generation->is_number_integer()) {
    out.generation = generation->get<int64_t>();
  }
  return out;
}

Result<json> desiredPod(const json& object, const GroupObject& group) {
  BERTH_ASSIGN_OR_RETURN(auto objects, instances::groupToPod(group.group));
  json pod = objects.podJson();
  // The digest covers what the spec decides (labels, annotations, spec), before the stamps.
  json hashed = {{"metadata",
                  {{"labels", pod["metadata"].value("labels", json::object())},
                   {"annotations", pod["metadata"].value("annotations", json::object())}}},
                 {"spec", pod["spec"]}};
  if (!group.secretsHash.empty()) {
    hashed["secretsHash"] = group.secretsHash;
  }
  std::string hash = Sha256::digestOf(hashed.dump()).substr(7, 16);
  pod["metadata"]["annotations"][kPodHashAnnotation] = hash;
  if (!group.restartedAt.empty()) {
    pod["metadata"]["annotations"][kRestartedAtAnnotation] = group.restartedAt;
  }
  pod["metadata"]["ownerReferences"] =
      json::array({newControllerRef(object, kContainerGroupApiVersion, kContainerGroupKind)});
  pod.erase("status");
  return pod;
}

PodDecision decidePod(const json& object, const GroupObject& group, const json& desired,
                      const std::optional<json>& pod) {
  if (!pod) {
    return group.running ? PodDecision{PodAction::kCreate, "created"} : PodDecision{};
  }
  if (isDeleting(*pod)) {
    return {PodAction::kNone, "pod is being deleted"};
  }
  if (!controlledBy(*pod, object)) {
    auto ref = controllerRef(*pod);
    if (ref && isContainerGroupRef(*ref)) {
      return {PodAction::kDelete, "pod of an earlier container group"};
    }
    return {PodAction::kNone, "pod is not controlled by the container group"};
  }
  if (!group.running) {
    return {PodAction::kDelete, "stopped"};
  }
  if (annotation(*pod, kPodHashAnnotation) != annotation(desired, kPodHashAnnotation)) {
    return {PodAction::kDelete, "spec changed"};
  }
  if (!group.restartedAt.empty() && annotation(*pod, kRestartedAtAnnotation) != group.restartedAt) {
    auto restarted = parseTimestamp(group.restartedAt);
    auto created =
        parseTimestamp(pod->value("metadata", json::object()).value("creationTimestamp", json()));
    // creationTimestamp has whole seconds: a restart in the second the pod was made counts.
    if (!restarted || !created ||
        std::chrono::floor<std::chrono::seconds>(*restarted) >= *created) {
      return {PodAction::kDelete, "restarted"};
    }
  }
  return {};
}

bool isCurrentPod(const json& object, const GroupObject& group, const json& desired,
                  const std::optional<json>& pod) {
  return pod && !isDeleting(*pod) && controlledBy(*pod, object) &&
         decidePod(object, group, desired, pod).action == PodAction::kNone;
}

json groupStatus(const json& object, const GroupObject& group, const std::optional<json>& pod,
                 const std::vector<instances::PodEvent>& events, Clock::WallTime now) {
  const json previous = object.value("status", json::object());
  json status;
  if (isDeleting(object)) {
    status = previous;
    status["provisioningState"] = "Deleting";
  } else if (!group.running) {
    status = json::object();
    status["provisioningState"] = "Succeeded";
    status["instanceView"] = {{"state", "Stopped"}, {"events", json::array()}};
    status["containers"] = stoppedViews(group, previous.value("containers", json::object()), now);
  } else if (pod) {
    status = statusOfPod(group, *pod, events, now);
  } else {
    status = json::object();
    status["provisioningState"] = "Pending";
    status["instanceView"] = {{"state", "Pending"}, {"events", json::array()}};
    status["containers"] = containerViews(group, json());
  }
  status["observedGeneration"] = group.generation;
  return status;
}

std::optional<Clock::WallTime> provisioningDeadline(const json& status, const json& pod) {
  std::string state = status.value("provisioningState", "");
  if (state != "Pending" && state != "Creating") {
    return std::nullopt;
  }
  std::string phase = podPhase(pod);
  if (phase != "" && phase != "Pending" && phase != "Unknown") {
    return std::nullopt;
  }
  auto created =
      parseTimestamp(pod.value("metadata", json::object()).value("creationTimestamp", json()));
  if (!created) {
    return std::nullopt;
  }
  return *created + instances::kProvisioningTimeout;
}

}  // namespace berth::controllers
