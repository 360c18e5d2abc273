#pragma once

// Kubernetes `Status` objects: the JSON body of every error response, and of the result of an
// exec (sent on the remotecommand error channel).

#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::http {

// {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":...,
//  "reason":...,"code":...}
std::string failureStatusJson(int code, std::string_view reason, std::string_view message);

// The HTTP status code for an Error's code (kNotFound -> 404, kInvalidArgument -> 400, ...).
int httpCodeFor(ErrorCode code);
// The Kubernetes reason for an HTTP status code (404 -> "NotFound", 400 -> "BadRequest", ...).
std::string_view reasonFor(int httpCode);

}  // namespace berth::http
