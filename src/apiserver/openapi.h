#pragma once

// OpenAPI v3 documents built from the ResourceRegistry, enough for kubectl 1.32's
// --validate=strict (reference/kubectl.md §4):
//   GET /openapi/v3 -> openApiIndex(): {"paths":{"api/v1":{"serverRelativeURL":
//     "/openapi/v3/api/v1?hash=<HEX>"}, "apis/<g>/<v>": {...}}}, one entry per group-version;
//   GET /openapi/v3/api/v1, /openapi/v3/apis/<g>/<v> -> openApiDocument(): for every resource
//     the collection and item paths (and the all-namespaces list, and subresources) with
//     get/post/put/patch/delete operations by its verbs. Each operation carries
//     x-kubernetes-action and x-kubernetes-group-version-kind; the PATCH operation has the
//     query parameters dryRun, fieldManager, fieldValidation and force, which is how kubectl
//     learns that the server validates fields itself.
// components.schemas holds one minimal schema ({"type":"object"}) per kind, deliberately
// WITHOUT x-kubernetes-group-version-kind: kubectl apply computes its strategic merge patch
// from a component schema carrying the GVK, and a schema without the patch merge keys would
// make it replace lists (losing container ports). Without a match kubectl falls back to
// /openapi/v2 (served as 404) and its compiled-in types. `kubectl explain` is out of scope.
// Pure functions of the registry; thread-safe when the registry is not being changed.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "apiserver/resource_type.h"

namespace berth::apiserver {

// The index document for GET /openapi/v3.
nlohmann::json openApiIndex(const ResourceRegistry& registry);

// The document of one group-version ("" / "v1" for the core group); nullopt when nothing is
// served there.
std::optional<nlohmann::json> openApiDocument(const ResourceRegistry& registry,
                                              std::string_view group, std::string_view version);

// Parses the part after /openapi/v3/ ("api/v1", "apis/coordination.k8s.io/v1") into group
// and version; nullopt for anything else.
std::optional<std::pair<std::string, std::string>> parseOpenApiPath(std::string_view path);

}  // namespace berth::apiserver
