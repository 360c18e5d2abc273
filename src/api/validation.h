#pragma once

// Pod defaulting and validation as the Kubernetes API server does them, for the fields Berth
// understands. Validation returns every problem, each naming its field.

#include <string>
#include <vector>

#include "api/pod.h"

namespace berth::api {

struct FieldError {
  std::string field;  // "spec.containers[0].name"
  std::string type;   // "Required value", "Invalid value", "Unsupported value", "Duplicate value",
                      // "Forbidden"
  std::string badValue;  // as JSON text, empty for Required
  std::string detail;    // "a lowercase RFC 1123 label must consist of ..."

  // "spec.containers[0].name: Required value" / "metadata.name: Invalid value: \"A\": detail"
  std::string str() const;
};

// Fills defaults: namespace "default", restartPolicy Always, terminationGracePeriodSeconds 30,
// dnsPolicy ClusterFirst, imagePullPolicy (Always for ":latest" or no tag, else IfNotPresent),
// port protocol TCP, terminationMessagePath /dev/termination-log, schedulerName.
void setPodDefaults(Pod& pod);

std::vector<FieldError> validatePod(const Pod& pod);

// `Pod "name" is invalid: [a, b]` (or without brackets for one error), as kubectl shows it.
std::string invalidMessage(const std::string& kind, const std::string& name,
                           const std::vector<FieldError>& errors);

}  // namespace berth::api
