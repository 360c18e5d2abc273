#pragma once

// The two generic patch formats of a Kubernetes PATCH request, applied to an object held as
// JSON:
//   application/merge-patch+json  -> applyMergePatch (RFC 7386)
//   application/json-patch+json   -> applyJsonPatch (RFC 6902)
// The third, application/strategic-merge-patch+json, needs per-kind knowledge and is in
// strategic_merge.h.
//
// Both take the target by value and return the patched copy, so a failed patch leaves the
// caller's object untouched (nothing half-applied). Pure functions, thread-safe.

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::apiserver {

// JSON merge patch (RFC 7386): objects merge key by key, `null` removes a key, any other value
// (arrays included) replaces. `patch` must be a JSON object, as every Kubernetes patch of an
// object is; anything else is kInvalidArgument ("merge patch must be a JSON object").
// kubectl scale sends {"spec":{"replicas":3}}; kubectl label sends
// {"metadata":{"labels":{"app":"web","old":null}}}.
Result<nlohmann::json> applyMergePatch(nlohmann::json target, const nlohmann::json& patch);

// JSON patch (RFC 6902): `patch` is an array of operations {"op", "path", ["from"], ["value"]}
// with op add/remove/replace/move/copy/test, applied in order, all or nothing. Paths are JSON
// pointers (RFC 6901) with ~0 and ~1 escapes; "-" appends to an array in add/move/copy.
// `kubectl rollout undo` sends
//   [{"op":"replace","path":"/spec/template","value":{...}},
//    {"op":"replace","path":"/metadata/annotations","value":{...}}].
// Every failure is kInvalidArgument naming the operation's index, op and path, e.g.
// "json patch operation 1 ('replace') at path '/spec/x': no such key 'x'"; a failed `test` reads
// "json patch operation 0 ('test') at path '/a': value differs".
Result<nlohmann::json> applyJsonPatch(nlohmann::json target, const nlohmann::json& patch);

}  // namespace berth::apiserver
