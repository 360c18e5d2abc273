#include "instances/api_versions.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace berth::instances {
namespace {

// 2024-05-01-preview is what `az container` (azure-cli >= 2.67) sends; 2023-05-01 is the
// @azure/arm-containerinstance 9.x default; 2025-09-01 is the newest stable of the TypeSpec.
constexpr std::array<std::string_view, 5> kVersions = {
    "2023-05-01", "2024-05-01-preview", "2024-09-01-preview", "2024-11-01-preview", "2025-09-01",
};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string joined(std::string_view separator) {
  std::string out;
  for (std::string_view v : kVersions) {
    if (!out.empty()) {
      out += separator;
    }
    out += v;
  }
  return out;
}

}  // namespace

std::span<const std::string_view> supportedApiVersions() {
  return kVersions;
}

std::string_view defaultApiVersion() {
  return kVersions.front();
}

ArmStatus checkApiVersion(std::optional<std::string_view> version,
                          std::optional<std::string_view> location, std::string_view locations) {
  if (!version || version->empty()) {
    return armFail(400, "MissingApiVersionParameter",
                   "The api-version query parameter (?api-version=) is required for all "
                   "requests.");
  }
  for (std::string_view v : kVersions) {
    if (equalsIgnoreCase(v, *version)) {
      return {};
    }
  }
  static const std::regex kDateVersion(R"(^\d{4}-\d{2}-\d{2}(-[A-Za-z]+)?$)");
  if (!std::regex_match(version->begin(), version->end(), kDateVersion)) {
    return armFail(400, "InvalidApiVersionParameter",
                   "The api-version '{}' is invalid. The supported versions are '{}'.", *version,
                   joined(","));
  }
  if (location) {
    return armFail(400, "NoRegisteredProviderFound",
                   "No registered resource provider found for location '{}' and API version '{}' "
                   "for type 'containerGroups'. The supported api-versions are '{}'. The supported "
                   "locations are '{}'.",
                   *location, *version, joined(", "), locations);
  }
  return armFail(400, "InvalidResourceType",
                 "The resource type 'containerGroups' could not be found in the namespace "
                 "'Microsoft.ContainerInstance' for api version '{}'. The supported api-versions "
                 "are '{}'.",
                 *version, joined(","));
}

}  // namespace berth::instances
