#pragma once

// `--price-table FILE` of `berth server` and `berth up`: the prices of the metered usage
// (instances/metering.h; JSON {"currency", "vcpuSecond", "gbSecond"}, default ACI's Linux
// pay-as-you-go). The file is read while the command line is parsed: a missing or malformed one
// stops the command with an error naming the file and the field.

#include <CLI/CLI.hpp>

#include "apiserver/arm_service.h"

namespace berth::cli {

// Adds the flag to `cmd`; parsing loads the file into `options.prices` (`options` must outlive
// `cmd`).
void addPriceTableFlag(CLI::App& cmd, apiserver::ArmOptions& options);

}  // namespace berth::cli
