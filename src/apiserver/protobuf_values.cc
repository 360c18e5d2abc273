#include "apiserver/protobuf_values.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>

namespace berth::apiserver::protobuf {

namespace {

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds.
constexpr int64_t kMinSeconds = -62167219200;
constexpr int64_t kMaxSeconds = 253402300799;

// Splits off the `digits` least significant decimal digits of v as Go's fmtFrac does: the
// fraction without trailing zeros (and without the dot when it is all zeros), and the rest.
std::pair<std::string, uint64_t> fraction(uint64_t v, int digits) {
  std::string out;
  bool print = false;
  for (int i = 0; i < digits; ++i) {
    auto digit = static_cast<char>('0' + v % 10);
    print = print || digit != '0';
    if (print) {
      out.insert(out.begin(), digit);
    }
    v /= 10;
  }
  if (print) {
    out.insert(out.begin(), '.');
  }
  return {out, v};
}

}  // namespace
bool isValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int length = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
      length = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < static_cast<size_t>(length)) {
      return false;
    }
    for (int k = 1; k < length; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) {
        return false;
      }
      cp = cp << 6 | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

Result<std::string> formatTime(int64_t seconds, int64_t nanos, bool micros) {
  if (seconds < kMinSeconds || seconds > kMaxSeconds) {
    return fail(ErrorCode::kInvalidArgument, "time of {} seconds is outside years 0-9999", seconds);
  }
  if (nanos < 0 || nanos > 999'999'999) {
    return fail(ErrorCode::kInvalidArgument, "time nanos {} out of range", nanos);
  }
  using namespace std::chrono;
  sys_seconds instant{std::chrono::seconds{seconds}};
  sys_days day = floor<days>(instant);
  year_month_day date{day};
  hh_mm_ss<std::chrono::seconds> clock{instant - day};
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  clock.hours().count(), clock.minutes().count(), clock.seconds().count());
  if (micros) {
    out += fmt::format(".{:06}", nanos / 1000);
  }
  out += 'Z';
  return out;
}

std::string formatGoDuration(int64_t nanoseconds) {
  if (nanoseconds == 0) {
    return "0s";
  }
  bool negative = nanoseconds < 0;
  // Unsigned negation is defined for INT64_MIN as well.
  uint64_t u = negative ? 0 - static_cast<uint64_t>(nanoseconds) : nanoseconds;
  std::string out;
  if (u < 1'000'000'000) {
    if (u < 1'000) {
      out = fmt::format("{}ns", u);
    } else if (u < 1'000'000) {
      auto [frac, whole] = fraction(u, 3);
      out = fmt::format("{}{}\u00b5s", whole, frac);
    } else {
      auto [frac, whole] = fraction(u, 6);
      out = fmt::format("{}{}ms", whole, frac);
    }
  } else {
    auto [frac, secs] = fraction(u, 9);
    out = fmt::format("{}{}s", secs % 60, frac);
    uint64_t minutes = secs / 60;
    if (minutes > 0) {
      out = fmt::format("{}m", minutes % 60) + out;
      if (minutes / 60 > 0) {
        out = fmt::format("{}h", minutes / 60) + out;
      }
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace berth::apiserver::protobuf
