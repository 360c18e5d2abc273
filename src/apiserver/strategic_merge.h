#pragma once

// Strategic merge patch (application/strategic-merge-patch+json), as Kubernetes applies it
// (k8s.io/apimachinery/pkg/util/strategicpatch, StrategicMergePatch with its server options):
//
// - Maps merge recursively; `null` deletes a key; a value of another type replaces.
// - Lists whose field has patchStrategy "merge" (patch_schema.h) merge: lists of objects by the
//   field's merge key (an element with a new key is added, one with a known key is merged into
//   the stored element), lists of primitives as sets (metadata.finalizers). Other lists are
//   replaced whole.
// - Directives:
//     {"$patch": "replace"}  in a map: the map (minus the directive) replaces the stored one;
//                            as a list element: the other elements replace the stored list.
//     {"$patch": "delete"}   in a map: the map becomes {}; as a list element with the merge
//                            key: the stored elements with that key are removed.
//     {"$patch": "merge"}    in a map: the default, merge (Kubernetes rejects it; Berth accepts
//                            it, also in a list element, as the explicit default).
//     "$setElementOrder/<list>": [...]  the order of the merged list (kubectl apply sends it).
//     "$retainKeys": [...]   keys of the stored map not listed are cleared; a key in the patch
//                            but not listed is an error.
//     "$deleteFromPrimitiveList/<list>": [...]  these values are removed from a primitive list.
// - Order of a merged list: elements named by the patch first in patch order, interleaved with
//   the stored-only elements kept in their stored order, as Kubernetes orders them.
// - A value the stored object does not have is taken from the patch with nulls and directives
//   stripped.
//
// Errors (kInvalidArgument, "<field path>: <problem>"): a list element without its merge key,
// a $setElementOrder list that contradicts the patch list, a key outside $retainKeys, a list of
// mixed element types, an unknown $patch value or '$' directive. The target is taken by value:
// a failed patch leaves the caller's object untouched. Pure functions, thread-safe.

#include <nlohmann/json.hpp>
#include <string_view>

#include "apiserver/patch_schema.h"
#include "base/error.h"

namespace berth::apiserver {

// Applies `patch` (a JSON object) to `target` (a JSON object) using the built-in schema of
// (apiVersion, kind). A kind the schema does not know is patched with no list merging (maps
// merge, lists replace: like a JSON merge patch, with the directives above still honoured).
Result<nlohmann::json> applyStrategicMergePatch(nlohmann::json target, const nlohmann::json& patch,
                                                std::string_view apiVersion, std::string_view kind);

// The same with an explicit schema type for the whole object (null: free-form).
Result<nlohmann::json> applyStrategicMergePatch(nlohmann::json target, const nlohmann::json& patch,
                                                const PatchSchema::Type* type);

}  // namespace berth::apiserver
