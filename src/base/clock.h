#pragma once

// Time is a dependency: components take a Clock& so tests can advance time by hand.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace berth {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using MonoTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual WallTime now() const = 0;
  virtual MonoTime monotonic() const = 0;
};

class RealClock final : public Clock {
 public:
  WallTime now() const override { return std::chrono::system_clock::now(); }
  MonoTime monotonic() const override { return std::chrono::steady_clock::now(); }
};

// RFC 3339 in UTC with second precision, as Kubernetes writes timestamps: 2026-11-29T03:57:25Z.
std::string rfc3339(Clock::WallTime t);
// RFC 3339 with nanoseconds, as CRI log lines carry: 2026-11-29T03:57:25.123456789Z.
std::string rfc3339Nano(Clock::WallTime t);
// Parses RFC 3339: "2026-11-29T03:57:25Z", with any fraction of a second and a "Z" or "+HH:MM"
// offset. nullopt for anything else.
std::optional<Clock::WallTime> parseRfc3339(std::string_view s);

}  // namespace berth
