#pragma once

// meta.k8s.io/v1 Table output (kubectl's `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
//
// Columns and cells come from the ResourceType (columns, row); a kind without them gets the
// API server's default table, NAME and AGE (ages from the system clock). Every row carries its
// object: a PartialObjectMetadata (kind PartialObjectMetadata, apiVersion meta.k8s.io/v1, the
// full metadata) by default, which kubectl needs for -L, --show-labels and the NAMESPACE column
// of -A; the whole object with includeObject=Object (--sort-by). includeObject=None is not
// distinguished (kubectl never sends it). Pure functions, thread-safe.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apiserver/resource_type.h"

namespace berth::apiserver {

// {"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":rv},
//  "columnDefinitions":[...],"rows":[{"cells":[...],"object":{...}}]}. An empty
// `resourceVersion` leaves metadata empty.
nlohmann::json toTable(const ResourceType& type, const std::vector<nlohmann::json>& objects,
                       const std::string& resourceVersion, bool includeObject);

// The columnDefinitions of `type` (its columns, or Name + Age).
nlohmann::json tableColumns(const ResourceType& type);

// One row: cells and object, as in toTable.
nlohmann::json tableRow(const ResourceType& type, const nlohmann::json& object, bool includeObject);

// A watch event in Table form: {"type": eventType, "object": <Table with one row>}, as kubectl
// `get -w` expects (events must be Tables once a Table was asked for).
nlohmann::json tableWatchEvent(const ResourceType& type, const std::string& eventType,
                               const nlohmann::json& object, bool includeObject);

}  // namespace berth::apiserver
