#pragma once

// `berth container logs [--follow]`: ListLogs (GET .../containers/{c}/logs), and --follow the
// way az does it: poll every 2 s and print what is new.

#include <cstdio>
#include <string>

#include "base/error.h"
#include "cli/arm_client.h"

namespace berth::cli {

// What to print when the log went from `before` to `now`: the new tail when `now` extends
// `before`; all of `now` (and *reset = true) when it does not (the container restarted and
// its log started over).
std::string newLogPart(const std::string& before, const std::string& now, bool* reset);

struct LogsOptions {
  std::string resourceGroup;
  std::string group;
  std::string container;  // empty: the first container
  bool follow = false;
  int pollSeconds = 2;
};

// Prints the log to `out`. With follow, returns only on an error (the group was deleted: the
// ARM error).
Status printLogs(const ArmClient& arm, const LogsOptions& options, std::FILE* out);

}  // namespace berth::cli
