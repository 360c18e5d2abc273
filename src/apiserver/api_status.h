#pragma once

// Kubernetes Status objects for the failures of API requests, worded as kube-apiserver words
// them (kubectl prints `Error from server (<reason>): <message>`).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apiserver/resource_type.h"
#include "base/error.h"

namespace berth::apiserver {

// A failed request: the HTTP code and the Status body to send.
struct ApiFailure {
  int code = 500;
  nlohmann::json status;
};

// "pods" or "deployments.apps": how messages name a resource.
std::string qualifiedResource(const ResourceType& type);

ApiFailure statusFailure(int code, std::string_view reason, std::string message,
                         nlohmann::json details = nullptr);
// `pods "x" not found`.
ApiFailure notFound(const ResourceType& type, const std::string& name);
// `pods "x" already exists`.
ApiFailure alreadyExists(const ResourceType& type, const std::string& name);
// The optimistic-lock conflict.
ApiFailure conflict(const ResourceType& type, const std::string& name, std::string why = "");
// 422 `Pod "x" is invalid: spec.a: Invalid value: ...` with details.causes.
ApiFailure invalid(const ResourceType& type, const std::string& name,
                   const std::vector<Cause>& causes);
ApiFailure badRequest(std::string message);
ApiFailure forbidden(std::string message);
// An Error from a lower layer about the object `name` of `type` (kNotFound -> notFound, ...).
ApiFailure fromError(const ResourceType& type, const std::string& name, const Error& error);
// An Error with no object context.
ApiFailure fromError(const Error& error);

// {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",...} for deletions that
// answer with a Status.
nlohmann::json successStatus(const ResourceType& type, const std::string& name,
                             const std::string& uid);

}  // namespace berth::apiserver
