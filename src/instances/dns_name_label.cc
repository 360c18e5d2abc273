#include "instances/dns_name_label.h"

#include <fmt/format.h>

#include <cctype>

#include "instances/arm_paths.h"

namespace berth::instances {

namespace {

bool isZoneLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string locationDnsLabel(std::string_view location) {
  std::string out;
  for (char c : location) {
    if (c != ' ') {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::string groupFqdn(std::string_view label, std::string_view location, std::string_view zone) {
  if (label.empty()) {
    return "";
  }
  return fmt::format("{}.{}.{}", label, locationDnsLabel(location), zone);
}

bool isValidDnsZone(std::string_view zone) {
  if (zone.empty() || zone.size() > 200) {
    return false;
  }
  size_t start = 0;
  while (true) {
    size_t dot = zone.find('.', start);
    std::string_view label = zone.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!isZoneLabel(label)) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

ArmStatus checkDnsNameLabel(std::string_view label, std::string_view location, std::string_view id,
                            const std::vector<DnsLabelHolder>& holders) {
  if (label.empty()) {
    return {};
  }
  const std::string where = locationDnsLabel(location);
  for (const DnsLabelHolder& holder : holders) {
    if (holder.dnsNameLabel == label && locationDnsLabel(holder.location) == where &&
        !armEquals(holder.id, id)) {
      return armFail(409, "DnsNameLabelNotAvailable",
                     "The DNS name label '{}' is not available in location '{}'. It is used by "
                     "another container group. Try a different label.",
                     label, location);
    }
  }
  return {};
}

}  // namespace berth::instances
