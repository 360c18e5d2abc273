#pragma once

// Discovery documents built from the ResourceRegistry, in the shapes kubectl 1.32 reads
// (reference/kubectl.md §1):
//   GET /api, /apis with the aggregated Accept -> apidiscovery.k8s.io/v2 APIGroupDiscoveryList,
//     sent with Content-Type kAggregatedDiscoveryContentType (plain application/json makes
//     kubectl read it as legacy discovery and find nothing);
//   GET /api (legacy) -> APIVersions; GET /apis (legacy) -> APIGroupList;
//   GET /apis/<group> -> APIGroup;
//   GET /api/v1, /apis/<g>/<v> -> APIResourceList with the subresource entries ("pods/status",
//     "pods/eviction" with group policy, version v1, kind Eviction: kubectl drain reads it);
//   GET /version -> the version document (minor "32" picks kubectl 1.32 in the dispatcher).
// A "virtual" group (metrics.k8s.io) is just a ResourceType in the registry with its verbs.
// Pure functions of the registry; thread-safe when the registry is not being changed.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/resource_type.h"

namespace berth::apiserver {

inline constexpr std::string_view kAggregatedDiscoveryContentType =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

// Whether an Accept header asks for aggregated discovery (v2 or v2beta1; both are answered
// with v2, which kubectl 1.32 lists first).
bool wantsAggregatedDiscovery(std::string_view accept);

// What a subresource returns and accepts, for discovery and OpenAPI: "status" -> the kind
// itself [get, patch, update]; "scale" -> autoscaling/v1 Scale; "binding" -> v1 Binding
// [create]; "log" -> the kind [get]; "exec"/"attach"/"portforward" -> v1 Pod*Options
// [create, get]; "eviction" -> policy/v1 Eviction [create]; others -> the kind [get].
// group/version empty mean the resource's own group/version.
struct SubresourceInfo {
  std::string group;
  std::string version;
  std::string kind;
  std::vector<std::string> verbs;
};
SubresourceInfo describeSubresource(const ResourceType& type, std::string_view subresource);

// The aggregated document for /api (`core` true: the "" group) or /apis (every other group,
// in registry order, versions in preference order).
nlohmann::json aggregatedDiscovery(const ResourceRegistry& registry, bool core);

// {"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":
// "0.0.0.0/0","serverAddress":serverAddress}]}.
nlohmann::json apiVersions(const std::string& serverAddress);

// {"kind":"APIGroupList","apiVersion":"v1","groups":[...]} for the named groups.
nlohmann::json apiGroupList(const ResourceRegistry& registry);

// {"kind":"APIGroup",...} for one named group; nullopt when it is not served.
std::optional<nlohmann::json> apiGroup(const ResourceRegistry& registry, std::string_view group);

// {"kind":"APIResourceList","apiVersion":"v1","groupVersion":...,"resources":[...]}; nullopt
// when the group/version is not served.
std::optional<nlohmann::json> apiResourceList(const ResourceRegistry& registry,
                                              std::string_view group, std::string_view version);

// The /version document: major "1", minor "32", gitVersion "v1.32.0+berth".
nlohmann::json versionInfo();

}  // namespace berth::apiserver
