#include "base/clock.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>

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

namespace {

// Reads exactly `n` digits at `pos`.
std::optional<int> digits(std::string_view s, size_t& pos, size_t n) {
  if (pos + n > s.size()) {
    return std::nullopt;
  }
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect(std::string_view s, size_t& pos, std::string_view chars) {
  if (pos < s.size() && chars.find(s[pos]) != std::string_view::npos) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::optional<Clock::WallTime> parseRfc3339(std::string_view s) {
  size_t pos = 0;
  std::tm tm{};
  auto year = digits(s, pos, 4);
  if (!year || !expect(s, pos, "-")) {
    return std::nullopt;
  }
  auto month = digits(s, pos, 2);
  if (!month || !expect(s, pos, "-")) {
    return std::nullopt;
  }
  auto day = digits(s, pos, 2);
  if (!day || !expect(s, pos, "Tt")) {
    return std::nullopt;
  }
  auto hour = digits(s, pos, 2);
  if (!hour || !expect(s, pos, ":")) {
    return std::nullopt;
  }
  auto minute = digits(s, pos, 2);
  if (!minute || !expect(s, pos, ":")) {
    return std::nullopt;
  }
  auto second = digits(s, pos, 2);
  if (!second || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100'000'000;
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  int64_t offsetSeconds = 0;
  if (expect(s, pos, "Zz")) {
    // UTC
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    auto oh = digits(s, pos, 2);
    if (!oh || !expect(s, pos, ":")) {
      return std::nullopt;
    }
    auto om = digits(s, pos, 2);
    if (!om) {
      return std::nullopt;
    }
    offsetSeconds = sign * (*oh * 3600 + *om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) {
    return std::nullopt;
  }
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  std::time_t t = timegm(&tm);
  return Clock::WallTime(std::chrono::seconds(t - offsetSeconds)) +
         std::chrono::duration_cast<Clock::WallTime::duration>(std::chrono::nanoseconds(nanos));
}

}  // namespace berth
