#pragma once

// Pieces shared by the built-in resource types (*_type.cc): JSON field access, ObjectMeta
// validation, FieldError -> Cause, the Name/Age columns and schema-based unknown-field
// detection. Internal to the type files; pure functions, thread-safe.

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/validation.h"
#include "apiserver/human_duration.h"
#include "apiserver/resource_type.h"

namespace berth::apiserver::types {

using nlohmann::json;
using Errors = std::vector<api::FieldError>;

// The value at `path` ({"spec", "nodeName"}), or nullptr when a step is missing or not an
// object.
const json* at(const json& object, std::initializer_list<std::string_view> path);
// The string at `path`, or "" when it is missing or not a string.
std::string text(const json& object, std::initializer_list<std::string_view> path);
// True when the boolean at `path` is true.
bool flag(const json& object, std::initializer_list<std::string_view> path);

// A field.Error as a Status cause: reason "FieldValueInvalid", message "Invalid value: \"x\":
// detail" (field.Error.ErrorBody), field "metadata.name".
Cause toCause(const api::FieldError& error);
std::vector<Cause> toCauses(const Errors& errors);

// How metadata.name is checked (ValidateObjectMeta's nameFn).
enum class NameRule { kDns1123Subdomain, kDns1123Label };

// ValidateObjectMeta on JSON: name (or generateName) required and valid by `rule`;
// namespace required and a DNS-1123 label when `namespaced` (cluster-scoped types are not
// checked: the handlers clear the namespace, as kube-apiserver's BeforeCreate does);
// generation >= 0; labels and annotations well-formed (string values, qualified-name keys,
// label values, 256 KiB of annotations); ownerReferences apiVersion/kind/name/uid.
void validateObjectMeta(const json& object, bool namespaced, NameRule rule, Errors& out);

// Metadata fields that never change on update (ValidateObjectMetaUpdate): namespace, uid,
// creationTimestamp ("field is immutable"). Name changes never reach validation (the URL
// names the object).
void validateObjectMetaUpdate(const json& object, const json& old, Errors& out);

// Keys of a ConfigMap/Secret data map at `path` ("data", "binaryData"): each a valid
// config-map key (`data[a b]: Invalid value: "a b": a valid config key must consist of ...`).
// Non-string values are reported as invalid. Returns the total size of the values, decoding
// them first when `base64` (an undecodable value is reported and counts its text size).
size_t validateDataMap(const json& object, const char* path, bool base64, Errors& out);

// The name column (format "name") and the Age column, as every kubectl printer has them.
TableColumn nameColumn();
TableColumn ageColumn();
// metadata.name and the age of metadata.creationTimestamp at `now`.
std::string nameOf(const json& object);
std::string ageOf(const json& object, const NowFn& now);

// Unknown fields of `object` by a schema: a JSON object mapping each known key to `true`
// (anything is accepted below it, e.g. a free-form map), to a nested schema object, or to a
// one-element array holding the schema of list items. Paths as Kubernetes prints them:
// "spec.foo", "spec.taints[0].colour". Keys of non-objects are not descended into.
std::vector<std::string> unknownFieldsBySchema(const json& object, const json& schema);
// The schema of a top-level object: apiVersion, kind, metadata (all ObjectMeta fields) plus
// `fields`.
json objectSchema(json fields);

}  // namespace berth::apiserver::types
