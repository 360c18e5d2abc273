#pragma once

// Pieces shared by the apps/v1 workload types (deployments_type.cc, replicasets_type.cc): the
// pod template (defaults and validation reused from the Pod type, with field paths under
// spec.template), the label selector rules of ValidateDeploymentSpec/ValidateReplicaSetSpec,
// IntOrString values, and the Go renderings (%#v) Kubernetes prints in field errors. Internal
// to the type files and their tests; pure functions, thread-safe.

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/validation.h"

namespace berth::apiserver::workload {

using nlohmann::json;
using Errors = std::vector<api::FieldError>;

// Go's %#v of a map[string]string as field errors print it: `map[string]string{"a":"1",
// "b":"2"}` (keys sorted), `map[string]string(nil)` for a missing map, `map[string]string{}`
// for an empty one. Non-string values are printed as their JSON text.
std::string goStringMap(const json* labels);

// %#v of a metav1.LabelSelector: `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"},
// MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`.
std::string goLabelSelector(const json& selector);

// An intstr.IntOrString read from JSON: a number is Type 0 (IntVal), a string Type 1 (StrVal).
struct IntOrString {
  int type = 0;
  int64_t intVal = 0;
  std::string strVal;
  // %#v: `intstr.IntOrString{Type:0, IntVal:0, StrVal:""}`.
  std::string goString() const;
};
// nullopt when `value` is neither an integral number nor a string.
std::optional<IntOrString> readIntOrString(const json& value);

// ValidatePositiveIntOrPercent: a string must be a valid percent ("25%"), a number >= 0.
void validatePositiveIntOrPercent(const IntOrString& value, const std::string& field, Errors& out);
// getIntOrPercentValue: the percent number of a valid percent string, else the integer (a
// string that is not a number counts as 0, as Go's IntValue() does).
int64_t intOrPercentValue(const IntOrString& value);
// IsNotMoreThan100Percent.
void validateNotMoreThan100Percent(const IntOrString& value, const std::string& field, Errors& out);

// The integer at `object[key]`: absent or null -> nullopt; an integral number -> its value; any
// other JSON type -> an Invalid error at `field` ("must be an integer") and nullopt.
std::optional<int64_t> readInteger(const json& object, const char* key, const std::string& field,
                                   Errors& out);

// Applies the Pod defaults (applyPodDefaults) to object.spec.template.spec, losslessly; a
// missing template is left alone (validation reports it).
void applyTemplateDefaults(json& object);

// ValidateDeploymentSpec/ValidateReplicaSetSpec's selector and template part, in Kubernetes'
// order: spec.selector required, a valid LabelSelector (matchLabels as labels, matchExpressions
// keys, operators and values), not empty ("empty selector is invalid for deployment" — the
// wording Kubernetes uses for both kinds); then ValidatePodTemplateSpecForReplicaSet: the
// selector must match spec.template.metadata.labels (`selector` does not match template
// `labels`), the template labels/annotations (spec.template.labels, spec.template.annotations)
// and pod spec (spec.template.spec.*) valid as a pod's, restartPolicy Always, no
// activeDeadlineSeconds (`activeDeadlineSeconds in ReplicaSet is not Supported`).
void validateSelectorAndTemplate(const json& object, Errors& out);

// apps/v1 update rule: spec.selector is immutable (`field is immutable`).
void validateSelectorUnchanged(const json& object, const json& old, Errors& out);

// Unknown fields below spec.template (metadata and pod spec), as "spec.template.spec.foo".
std::vector<std::string> unknownTemplateFields(const json& object);

// Table cells: the template's container names and images joined by ",", and the selector's
// string form ("app=web"; "<none>"-free: "" for no selector, "<invalid>" when malformed).
std::string templateContainerNames(const json& object);
std::string templateImages(const json& object);
std::string selectorString(const json& object);

// The integer at {"spec"|"status", key}, 0 when absent or not a number.
int64_t count(const json& object, const char* section, const char* key);

// The replica counts of a workload's status (Deployment, ReplicaSet): each of `counts` a
// non-negative integer; each of `boundedByReplicas` at most status.replicas; available at most
// ready. No status: nothing to check.
void validateReplicaCounts(const json& object, std::initializer_list<const char*> counts,
                           std::initializer_list<const char*> boundedByReplicas, Errors& out);

}  // namespace berth::apiserver::workload
