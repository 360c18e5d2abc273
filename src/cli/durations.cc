#include "cli/durations.h"

#include <charconv>

namespace berth::cli {

Result<std::chrono::milliseconds> parseDuration(const std::string& text) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) {
    return fail(ErrorCode::kInvalidArgument, "invalid duration '{}'", text);
  }
  std::string unit(ptr, text.data() + text.size());
  double ms = 0;
  if (unit == "ms") {
    ms = value;
  } else if (unit == "s" || unit.empty()) {
    ms = value * 1000;
  } else if (unit == "m") {
    ms = value * 60'000;
  } else if (unit == "h") {
    ms = value * 3'600'000;
  } else {
    return fail(ErrorCode::kInvalidArgument, "invalid duration '{}': unknown unit '{}'", text,
                unit);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

}  // namespace berth::cli
