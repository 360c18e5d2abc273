#include "base/clock.h"

#include <fmt/format.h>

#include <ctime>

namespace berth {
namespace {

std::string format(Clock::WallTime t, bool nanos) {
  auto since = t.time_since_epoch();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(since - secs).count();
  std::time_t tt = secs.count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  if (nanos) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

std::string rfc3339(Clock::WallTime t) {
  return format(t, false);
}
std::string rfc3339Nano(Clock::WallTime t) {
  return format(t, true);
}

}  // namespace berth
