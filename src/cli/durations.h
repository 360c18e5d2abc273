#pragma once

#include <chrono>
#include <string>

#include "base/error.h"

namespace berth::cli {

// "300ms", "10s", "5m", "1h" (or a bare number of seconds).
Result<std::chrono::milliseconds> parseDuration(const std::string& text);

}  // namespace berth::cli
