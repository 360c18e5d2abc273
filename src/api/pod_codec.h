#pragma once

// JSON <-> Pod, and YAML/JSON manifest text -> JSON documents. All functions are pure and
// thread-safe.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/pod.h"
#include "base/error.h"

namespace berth::api {

// Decodes a core/v1 Pod. `kind` must be "Pod" and `apiVersion` "v1"; otherwise kInvalidArgument
// naming the field:  `kind: expected "Pod", got "Service"`, `apiVersion: Required value: must be
// "v1"`. A field of the wrong JSON type fails with kInvalidArgument naming its path in
// Kubernetes notation, for the first such field (in the Pod type's field order):
//   `spec.containers[0].ports[0].containerPort: expected integer, got string "80"`
//   `metadata.labels[app]: expected string, got number 1`
// Missing and null fields keep their zero value (as Go's encoding/json does). Integral floats are
// accepted as integers. Quantities (resources, sizeLimit) may be strings or numbers and are kept
// as text; IntOrString ports are kept as text. Unknown fields are ignored (the API server's
// fieldValidation=Ignore); unknownPodFields() lists them. Nothing is defaulted or validated
// here: see validation.h.
Result<Pod> decodePod(const nlohmann::json& json);

// Encodes a Pod as the API server writes it: metadata, spec and status objects always present;
// optional fields omitted when empty/zero/false/unset (Go's omitempty); fields Kubernetes always
// writes are always written (spec.containers, container name and resources, port
// containerPort, volume name, containerStatuses[].ready/restartCount/image/imageID/state/
// lastState). IntOrString ports made of digits are written as numbers.
// decodePod(encodePod(p)) == p for every pod whose apiVersion/kind are v1/Pod.
nlohmann::json encodePod(const Pod& pod);

// One container status, as in status.containerStatuses[] ("state": {"running": {...}}).
nlohmann::json encodeContainerStatus(const ContainerStatus& status);

// A one-of container state: {"waiting": {...}}, {"running": {...}}, {"terminated": {...}} or {}.
nlohmann::json encodeContainerState(const ContainerState& state);

// Paths of fields in `json` that the Pod type does not have, sorted:
// {"spec.containers[0].imagee", "spec.foo"}. Maps (labels, resources, ...) have no unknown keys.
// Works on any JSON (type errors are skipped over).
std::vector<std::string> unknownPodFields(const nlohmann::json& json);

// Parses manifest text into JSON documents: a single JSON value (when the text starts with '{'
// or '['), or YAML with one or more "---"-separated documents; empty documents are skipped.
// YAML scalars are typed as Kubernetes' sigs.k8s.io/yaml types them (YAML 1.1 via go-yaml v2):
//   quoted or block scalars -> strings ("80" stays a string)
//   true/false/yes/no/on/off/y/n (any of their usual capitalisations) -> booleans
//   null, Null, NULL, ~, empty -> null
//   integers (decimal, 0x hex, 0o or leading-0 octal, 0b binary, '_' separators) -> numbers
//   floats (1.5, .5, 1e3) -> numbers; .inf/.nan -> error (JSON cannot hold them)
// Map keys are stringified ("true", "1"); merge keys ("<<: *anchor") are honoured.
// Errors are kInvalidArgument: "yaml: line 3, column 8: illegal map value",
// "json: parse error at line 1, column 9: ...".
Result<std::vector<nlohmann::json>> parseManifest(std::string_view text);

}  // namespace berth::api
