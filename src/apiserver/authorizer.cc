#include "apiserver/authorizer.h"

#include <fmt/format.h>

namespace berth::apiserver {

using nlohmann::json;

namespace {

bool isRead(const std::string& verb) {
  return verb == "get" || verb == "list" || verb == "watch";
}

std::string stringAt(const json& object, std::initializer_list<const char*> path) {
  const json* at = &object;
  for (const char* part : path) {
    if (!at->is_object() || !at->contains(part)) {
      return "";
    }
    at = &(*at)[part];
  }
  return at->is_string() ? at->get<std::string>() : "";
}

// Whether a container list refers to the configmap/secret `name` through env or envFrom.
bool containersReference(const json& containers, const char* refKey, const char* envFromKey,
                         const std::string& name) {
  if (!containers.is_array()) {
    return false;
  }
  for (const auto& c : containers) {
    for (const auto& env : c.value("env", json::array())) {
      if (stringAt(env, {"valueFrom", refKey, "name"}) == name) {
        return true;
      }
    }
    for (const auto& from : c.value("envFrom", json::array())) {
      if (stringAt(from, {envFromKey, "name"}) == name) {
        return true;
      }
    }
  }
  return false;
}

bool podReferences(const json& pod, const std::string& resource, const std::string& name) {
  const bool secret = resource == "secrets";
  const json spec = pod.value("spec", json::object());
  for (const auto& volume : spec.value("volumes", json::array())) {
    if (secret && stringAt(volume, {"secret", "secretName"}) == name) {
      return true;
    }
    if (!secret && stringAt(volume, {"configMap", "name"}) == name) {
      return true;
    }
    for (const auto& source :
         volume.value("projected", json::object()).value("sources", json::array())) {
      if (stringAt(source, {secret ? "secret" : "configMap", "name"}) == name) {
        return true;
      }
    }
  }
  if (secret) {
    for (const auto& ref : spec.value("imagePullSecrets", json::array())) {
      if (ref.value("name", "") == name) {
        return true;
      }
    }
  }
  const char* refKey = secret ? "secretKeyRef" : "configMapKeyRef";
  const char* fromKey = secret ? "secretRef" : "configMapRef";
  for (const char* list : {"containers", "initContainers"}) {
    if (containersReference(spec.value(list, json::array()), refKey, fromKey, name)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> Authorizer::nodeName(const http::Identity& who) {
  constexpr std::string_view kPrefix = "system:node:";
  if (who.user.starts_with(kPrefix) &&
      std::find(who.groups.begin(), who.groups.end(), "system:nodes") != who.groups.end()) {
    return who.user.substr(kPrefix.size());
  }
  return std::nullopt;
}

bool Authorizer::isMaster(const http::Identity& who) {
  return std::find(who.groups.begin(), who.groups.end(), "system:masters") != who.groups.end();
}

std::optional<ApiFailure> Authorizer::check(const std::optional<http::Identity>& who,
                                            const std::string& verb,
                                            const RequestInfo& info) const {
  if (!who) {
    return statusFailure(401, "Unauthorized", "Unauthorized");
  }
  if (isMaster(*who)) {
    return std::nullopt;
  }
  if (auto node = nodeName(*who); node && nodeAllowed(*node, verb, info)) {
    return std::nullopt;
  }
  std::string resource =
      info.subresource.empty() ? info.resource : info.resource + "/" + info.subresource;
  std::string subject =
      info.name.empty() ? (info.group.empty() ? info.resource : info.resource + "." + info.group)
                        : fmt::format("{}{} \"{}\"", info.resource,
                                      info.group.empty() ? "" : "." + info.group, info.name);
  std::string where = info.namespace_.empty()
                          ? "at the cluster scope"
                          : fmt::format("in the namespace \"{}\"", info.namespace_);
  return forbidden(
      fmt::format("{} is forbidden: User \"{}\" cannot {} resource \"{}\" in API "
                  "group \"{}\" {}",
                  subject, who->user, verb, resource, info.group, where));
}

bool Authorizer::nodeAllowed(const std::string& node, const std::string& verb,
                             const RequestInfo& info) const {
  const std::string& r = info.resource;
  if (info.group.empty() && r == "nodes") {
    if (isRead(verb)) {
      return true;
    }
    // A create is judged by the name in its body (see ResourceHandlers::serve).
    return (verb == "create" || verb == "update" || verb == "patch") && info.name == node;
  }
  if (info.group.empty() && r == "pods") {
    if (isRead(verb) && info.subresource.empty()) {
      return true;
    }
    if (info.name.empty()) {
      return false;
    }
    if (info.subresource == "status" && (verb == "update" || verb == "patch" || verb == "get")) {
      return podOnNode(info.namespace_, info.name, node);
    }
    if (info.subresource.empty() && verb == "delete") {
      return podOnNode(info.namespace_, info.name, node);
    }
    return false;
  }
  if (info.group.empty() && (r == "configmaps" || r == "secrets")) {
    return verb == "get" && !info.name.empty() &&
           referencedByPodOnNode(r, info.namespace_, info.name, node);
  }
  if (info.group == "coordination.k8s.io" && r == "leases") {
    return info.namespace_ == "kube-node-lease" && info.name == node &&
           (verb == "get" || verb == "create" || verb == "update" || verb == "patch");
  }
  if (info.group.empty() && r == "events") {
    return verb == "create" || verb == "update" || verb == "patch";
  }
  if (info.group.empty() && r == "namespaces") {
    return verb == "get";
  }
  return false;
}

bool Authorizer::podOnNode(const std::string& namespace_, const std::string& name,
                           const std::string& node) const {
  auto type = registry_.find("", "v1", "pods");
  if (!type) {
    return false;
  }
  auto pod = objects_.get(*type, namespace_, name);
  return pod && stringAt(*pod->object, {"spec", "nodeName"}) == node;
}

bool Authorizer::referencedByPodOnNode(const std::string& resource, const std::string& namespace_,
                                       const std::string& name, const std::string& node) const {
  auto type = registry_.find("", "v1", "pods");
  if (!type) {
    return false;
  }
  for (const auto& pod : objects_.list(*type, namespace_).items) {
    if (stringAt(*pod.object, {"spec", "nodeName"}) == node &&
        podReferences(*pod.object, resource, name)) {
      return true;
    }
  }
  return false;
}

}  // namespace berth::apiserver
