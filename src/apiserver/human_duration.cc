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

std::optional<Clock::WallTime> parseTimestamp(std::string_view s) {
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

std::string timestampSince(std::string_view timestamp, Clock::WallTime now) {
  auto t = parseTimestamp(timestamp);
  if (!t) {
    return "<unknown>";
  }
  return humanDuration(std::chrono::duration_cast<std::chrono::nanoseconds>(now - *t));
}

}  // namespace berth::apiserver
