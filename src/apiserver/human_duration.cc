// humanDuration follows duration.HumanDuration branch by branch; parseTimestamp accepts the
// RFC 3339 forms Go's time.RFC3339 / RFC3339Nano produce.

#include "apiserver/human_duration.h"

#include <fmt/format.h>

#include <cctype>
#include <ctime>

namespace berth::apiserver {

Clock::WallTime currentTime(const NowFn& now) {
  return now ? now() : std::chrono::system_clock::now();
}

std::string humanDuration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  // int(d.Seconds()) truncates toward zero, as C++ integer division does.
  int64_t seconds = d.count() / 1'000'000'000;
  if (seconds < -1) {
    return "<invalid>";
  }
  if (seconds < 0) {
    return "0s";
  }
  if (seconds < 60 * 2) {
    return fmt::format("{}s", seconds);
  }
  int64_t minutes = duration_cast<std::chrono::minutes>(d).count();
  if (minutes < 10) {
    int64_t s = seconds % 60;
    return s == 0 ? fmt::format("{}m", minutes) : fmt::format("{}m{}s", minutes, s);
  }
  if (minutes < 60 * 3) {
    return fmt::format("{}m", minutes);
  }
  int64_t hours = duration_cast<std::chrono::hours>(d).count();
  if (hours < 8) {
    int64_t m = minutes % 60;
    return m == 0 ? fmt::format("{}h", hours) : fmt::format("{}h{}m", hours, m);
  }
  if (hours < 48) {
    return fmt::format("{}h", hours);
  }
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    return h == 0 ? fmt::format("{}d", hours / 24) : fmt::format("{}d{}h", hours / 24, h);
  }
  if (hours < 24 * 365 * 2) {
    return fmt::format("{}d", hours / 24);
  }
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    return dy == 0 ? fmt::format("{}y", hours / 24 / 365)
                   : fmt::format("{}y{}d", hours / 24 / 365, dy);
  }
  return fmt::format("{}y", hours / 24 / 365);
}

std::string timestampSince(std::string_view timestamp, Clock::WallTime now) {
  auto t = parseRfc3339(timestamp);
  if (!t) {
    return "<unknown>";
  }
  return humanDuration(std::chrono::duration_cast<std::chrono::nanoseconds>(now - *t));
}

}  // namespace berth::apiserver
