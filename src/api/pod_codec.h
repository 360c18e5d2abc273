#pragma once

// JSON <-> Pod, and YAML/JSON manifest text -> JSON documents.
//
// Decoding names the offending field in Kubernetes' path notation on a type error:
//   "spec.containers[0].ports[0].containerPort: expected an integer, got string"
// Unknown fields are ignored by decodePod (as the API server does with fieldValidation=Ignore);
// unknownFields() lists them for strict validation.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/pod.h"
#include "base/error.h"

namespace berth::api {

Result<Pod> decodePod(const nlohmann::json& json);
nlohmann::json encodePod(const Pod& pod);

// Paths of fields in `json` that the Pod type does not have ("spec.containers[0].imagee").
std::vector<std::string> unknownPodFields(const nlohmann::json& json);

// Parses manifest text: JSON, or YAML with one or more "---"-separated documents. Empty
// documents are skipped. YAML scalars become JSON strings, numbers or booleans as YAML 1.2 core
// schema says ("80" quoted stays a string).
Result<std::vector<nlohmann::json>> parseManifest(std::string_view text);

}  // namespace berth::api
