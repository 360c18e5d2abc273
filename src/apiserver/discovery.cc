#include "apiserver/discovery.h"

namespace berth::apiserver {

using nlohmann::json;

bool wantsAggregatedDiscovery(std::string_view accept) {
  return accept.find("as=APIGroupDiscoveryList") != std::string_view::npos &&
         accept.find("g=apidiscovery.k8s.io") != std::string_view::npos;
}

SubresourceInfo describeSubresource(const ResourceType& type, std::string_view sub) {
  if (sub == "status") {
    return {"", "", type.kind, {"get", "patch", "update"}};
  }
  if (sub == "scale") {
    return {"autoscaling", "v1", "Scale", {"get", "patch", "update"}};
  }
  if (sub == "binding") {
    return {"", "v1", "Binding", {"create"}};
  }
  if (sub == "log") {
    return {"", "", type.kind, {"get"}};
  }
  if (sub == "exec") {
    return {"", "v1", "PodExecOptions", {"create", "get"}};
  }
  if (sub == "attach") {
    return {"", "v1", "PodAttachOptions", {"create", "get"}};
  }
  if (sub == "portforward") {
    return {"", "v1", "PodPortForwardOptions", {"create", "get"}};
  }
  if (sub == "eviction") {
    return {"policy", "v1", "Eviction", {"create"}};
  }
  if (sub == "finalize") {
    return {"", "", type.kind, {"update"}};
  }
  return {"", "", type.kind, {"get"}};
}

namespace {

// The responseKind of aggregated discovery: group/version "" when they are the resource's.
json responseKind(const ResourceType& type, const SubresourceInfo& info) {
  bool same = info.version.empty() || (info.group == type.group && info.version == type.version);
  return {{"group", same ? "" : info.group},
          {"version", same ? "" : info.version},
          {"kind", info.kind}};
}

json aggregatedResource(const ResourceType& type) {
  json r = {{"resource", type.resource},
            {"responseKind", {{"group", ""}, {"version", ""}, {"kind", type.kind}}},
            {"scope", type.namespaced ? "Namespaced" : "Cluster"},
            {"singularResource", type.singular},
            {"verbs", type.verbs}};
  if (!type.shortNames.empty()) {
    r["shortNames"] = type.shortNames;
  }
  if (!type.categories.empty()) {
    r["categories"] = type.categories;
  }
  if (!type.subresources.empty()) {
    json subs = json::array();
    for (const auto& sub : type.subresources) {
      SubresourceInfo info = describeSubresource(type, sub);
      subs.push_back({{"subresource", sub},
                      {"responseKind", responseKind(type, info)},
                      {"verbs", info.verbs}});
    }
    r["subresources"] = std::move(subs);
  }
  return r;
}

json aggregatedGroup(const ResourceRegistry& registry, const std::string& group) {
  json versions = json::array();
  for (const auto& version : registry.versions(group)) {
    json resources = json::array();
    for (const auto& type : registry.all()) {
      if (type->group == group && type->version == version) {
        resources.push_back(aggregatedResource(*type));
      }
    }
    versions.push_back(
        {{"version", version}, {"resources", std::move(resources)}, {"freshness", "Current"}});
  }
  return {{"metadata", {{"name", group}, {"creationTimestamp", nullptr}}},
          {"versions", std::move(versions)}};
}

json groupVersionEntry(const std::string& group, const std::string& version) {
  return {{"groupVersion", group + "/" + version}, {"version", version}};
}

json groupDocument(const ResourceRegistry& registry, const std::string& group) {
  json versions = json::array();
  for (const auto& v : registry.versions(group)) {
    versions.push_back(groupVersionEntry(group, v));
  }
  json preferred = versions.empty() ? json::object() : versions[0];
  return {{"name", group}, {"versions", std::move(versions)}, {"preferredVersion", preferred}};
}

}  // namespace

json aggregatedDiscovery(const ResourceRegistry& registry, bool core) {
  json items = json::array();
  for (const auto& group : registry.groups()) {
    if (group.empty() == core) {
      items.push_back(aggregatedGroup(registry, group));
    }
  }
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", "apidiscovery.k8s.io/v2"},
          {"metadata", json::object()},
          {"items", std::move(items)}};
}

json apiVersions(const std::string& serverAddress) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", serverAddress}}}}};
}

json apiGroupList(const ResourceRegistry& registry) {
  json groups = json::array();
  for (const auto& group : registry.groups()) {
    if (!group.empty()) {
      groups.push_back(groupDocument(registry, group));
    }
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(groups)}};
}

std::optional<json> apiGroup(const ResourceRegistry& registry, std::string_view group) {
  if (group.empty() || registry.versions(group).empty()) {
    return std::nullopt;
  }
  json doc = groupDocument(registry, std::string(group));
  doc["kind"] = "APIGroup";
  doc["apiVersion"] = "v1";
  return doc;
}

std::optional<json> apiResourceList(const ResourceRegistry& registry, std::string_view group,
                                    std::string_view version) {
  json resources = json::array();
  for (const auto& type : registry.all()) {
    if (type->group != group || type->version != version) {
      continue;
    }
    json r = {{"name", type->resource},
              {"singularName", type->singular},
              {"namespaced", type->namespaced},
              {"kind", type->kind},
              {"verbs", type->verbs}};
    if (!type->shortNames.empty()) {
      r["shortNames"] = type->shortNames;
    }
    if (!type->categories.empty()) {
      r["categories"] = type->categories;
    }
    resources.push_back(std::move(r));
    for (const auto& sub : type->subresources) {
      SubresourceInfo info = describeSubresource(*type, sub);
      json s = {{"name", type->resource + "/" + sub},
                {"singularName", ""},
                {"namespaced", type->namespaced},
                {"kind", info.kind},
                {"verbs", info.verbs}};
      if (!info.version.empty() && (info.group != type->group || info.version != type->version)) {
        s["group"] = info.group;
        s["version"] = info.version;
      }
      resources.push_back(std::move(s));
    }
  }
  if (resources.empty()) {
    return std::nullopt;
  }
  std::string groupVersion =
      group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  return json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", groupVersion},
              {"resources", std::move(resources)}};
}

json versionInfo() {
#if defined(__aarch64__)
  const char* platform = "linux/arm64";
#else
  const char* platform = "linux/amd64";
#endif
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", "v1.32.0+berth"},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2025-01-01T00:00:00Z"},
          {"goVersion", "go1.23.4"},
          {"compiler", "gc"},
          {"platform", platform}};
}

}  // namespace berth::apiserver
