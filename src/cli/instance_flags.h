#pragma once

// The flags of the container-group API that `berth server` and `berth up` share:
//   --group-max-cpu N            vCPU a group may request in total (default 4)
//   --group-max-memory-gb N      GB a group may request in total (default 16)
//   --subscription-max-cores N   vCPU of running groups per subscription and location (100)
//   --subscription-max-groups N  groups per subscription and location (100)
//   --instances-dns-zone Z       zone of the groups' fqdn, <label>.<location>.Z
//                                (default instances.berth.local)

#include <CLI/CLI.hpp>

#include "apiserver/arm_service.h"
#include "base/error.h"

namespace berth::cli {

// Adds the flags to `cmd`; parsing writes them into `options`, which must outlive `cmd`.
void addInstanceFlags(CLI::App& cmd, apiserver::ArmOptions& options);

// The start-up check of the parsed values: an error naming the first flag whose value is not
// greater than 0, or the zone when it is not a valid DNS name.
Status checkInstanceFlags(const apiserver::ArmOptions& options);

}  // namespace berth::cli
