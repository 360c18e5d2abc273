#pragma once

// The api-versions of Microsoft.ContainerInstance/containerGroups that Berth serves. All of them
// share the 2023-05-01 shape for the fields Berth models (later versions only add optional
// properties, which the decoder ignores), so one model serves them all.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "instances/arm_error.h"

namespace berth::instances {

// The one place the accepted versions are listed, oldest first.
std::span<const std::string_view> supportedApiVersions();

// The version a client should use when it has no preference ("2023-05-01").
std::string_view defaultApiVersion();

// Checks the `api-version` query parameter as ARM does before a request reaches the provider:
//   missing or empty     -> 400 MissingApiVersionParameter
//   not a date version   -> 400 InvalidApiVersionParameter ("The api-version 'x' is invalid. ...")
//   unknown, with a location (a PUT body carries one)
//                        -> 400 NoRegisteredProviderFound ("No registered resource provider found
//                           for location 'l' and API version 'v' for type 'containerGroups'. ...")
//   unknown, no location -> 400 InvalidResourceType ("The resource type 'containerGroups' could
//                           not be found in the namespace 'Microsoft.ContainerInstance' ...")
// Versions compare case-insensitively. `locations` is what the messages list as supported.
ArmStatus checkApiVersion(std::optional<std::string_view> version,
                          std::optional<std::string_view> location = std::nullopt,
                          std::string_view locations = "local");

}  // namespace berth::instances
