#pragma once

// Logging is spdlog; this sets it up once for a process. Secrets (tokens, passwords,
// registry credentials, Secret values) are never passed to a log call.

#include <spdlog/spdlog.h>

#include <string_view>

namespace berth::logging {

// level: trace|debug|info|warn|error. Logs go to stderr with timestamps.
void init(std::string_view level);

}  // namespace berth::logging
