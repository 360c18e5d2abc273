#include "cli/instance_flags.h"

#include "instances/dns_name_label.h"

namespace berth::cli {

void addInstanceFlags(CLI::App& cmd, apiserver::ArmOptions& options) {
  cmd.add_option("--group-max-cpu", options.groupQuota.cpu,
                 "Most vCPU one container group may request")
      ->capture_default_str();
  cmd.add_option("--group-max-memory-gb", options.groupQuota.memoryInGB,
                 "Most memory (GB) one container group may request")
      ->capture_default_str();
  cmd.add_option("--subscription-max-cores", options.subscriptionQuota.standardCores,
                 "Most vCPU of running container groups per subscription and location")
      ->capture_default_str();
  cmd.add_option("--subscription-max-groups", options.subscriptionQuota.containerGroups,
                 "Most container groups per subscription and location")
      ->capture_default_str();
  cmd.add_option("--instances-dns-zone", options.dnsZone,
                 "DNS zone of container groups' names: <dnsNameLabel>.<location>.ZONE")
      ->capture_default_str();
}

Status checkInstanceFlags(const apiserver::ArmOptions& options) {
  struct Positive {
    const char* flag;
    double value;
  };
  const Positive values[] = {
      {"--group-max-cpu", options.groupQuota.cpu},
      {"--group-max-memory-gb", options.groupQuota.memoryInGB},
      {"--subscription-max-cores", options.subscriptionQuota.standardCores},
      {"--subscription-max-groups", static_cast<double>(options.subscriptionQuota.containerGroups)},
  };
  for (const Positive& v : values) {
    if (!(v.value > 0)) {
      return fail(ErrorCode::kInvalidArgument, "'{}' must be greater than 0, got {}", v.flag,
                  v.value);
    }
  }
  if (!instances::isValidDnsZone(options.dnsZone)) {
    return fail(ErrorCode::kInvalidArgument,
                "'--instances-dns-zone' must be a lower-case DNS name, got '{}'", options.dnsZone);
  }
  return {};
}

}  // namespace berth::cli
