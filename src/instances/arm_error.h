#pragma once

// The error of the ARM container-group API: an HTTP status, an ARM error code and a message,
// rendered as ARM renders it: {"error":{"code":"InvalidOsType","message":"The 'osType' ..."}}.
//
// Codes and messages follow what Azure Container Instances returns where that is known (the
// reference is /work/shared/reference/aci-and-virtual-kubelet.md and public error reports);
// where it is not, the code is a clear UpperCamel name and the message names the field. ARM
// messages are sentences (capitalised, ending with a period), unlike Berth's internal errors.

#include <fmt/format.h>

#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace berth::instances {

struct ArmError {
  int httpStatus = 400;
  std::string code;
  std::string message;

  // {"error":{"code":..., "message":...}}
  nlohmann::json toJson() const;
  // toJson() serialised, the response body.
  std::string body() const;
  bool operator==(const ArmError&) const = default;
};

template <typename T>
using ArmResult = std::expected<T, ArmError>;
using ArmStatus = ArmResult<void>;

// Builds the std::unexpected a function returns:
//   return armFail(400, "InvalidOsType", "The 'osType' for container group '{}' ...", name);
template <typename... Args>
std::unexpected<ArmError> armFail(int httpStatus, std::string code,
                                  fmt::format_string<Args...> format, Args&&... args) {
  return std::unexpected(
      ArmError{httpStatus, std::move(code), fmt::format(format, std::forward<Args>(args)...)});
}

}  // namespace berth::instances

// Propagates the ArmError of an ArmResult/ArmStatus expression.
#define ARM_TRY(expr)                                         \
  do {                                                        \
    if (auto arm_status_ = (expr); !arm_status_) {            \
      return std::unexpected(std::move(arm_status_.error())); \
    }                                                         \
  } while (false)
