#pragma once

// The DNS names of container groups: a group with ipAddress.dnsNameLabel L in location LOC gets
// the read-only ipAddress.fqdn "L.LOC.ZONE" (ACI's is "L.LOC.azurecontainer.io"; Berth's zone
// is configurable, `berth server|up --instances-dns-zone`, default "instances.berth.local").
// A label names one group per location, whatever its subscription: a second group asking for
// it is refused with 409 DnsNameLabelNotAvailable. Pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "instances/arm_error.h"

namespace berth::instances {

inline constexpr const char* kDefaultDnsZone = "instances.berth.local";

// A location as it appears in a DNS name: lower case, spaces removed ("West US" -> "westus").
std::string locationDnsLabel(std::string_view location);

// "<label>.<location>.<zone>"; empty when `label` is empty.
std::string groupFqdn(std::string_view label, std::string_view location, std::string_view zone);

// Whether `zone` can end an fqdn: dot-separated labels of 1-63 [a-z0-9-] with alphanumeric
// ends, at most 200 characters, no leading, trailing or double dot.
bool isValidDnsZone(std::string_view zone);

// A group that holds a DNS name label now.
struct DnsLabelHolder {
  std::string id;  // the group's ARM resource id
  std::string location;
  std::string dnsNameLabel;
};

// Whether `label` in `location` may go to the group with resource id `id`: it may when no
// other holder (ids and locations compared case-insensitively) has it in that location.
// 409 DnsNameLabelNotAvailable otherwise. An empty label is always available.
ArmStatus checkDnsNameLabel(std::string_view label, std::string_view location, std::string_view id,
                            const std::vector<DnsLabelHolder>& holders);

}  // namespace berth::instances
