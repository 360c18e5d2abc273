#pragma once

// Ages and durations as kubectl prints them in Table cells (AGE, LAST SEEN, RESTARTS "(5m ago)").
//
// The Table rows are computed by the API server, so "now" is the server's clock. Row hooks get
// only the object; the kinds that print ages take a NowFn when they are built (see
// builtin_types.h), so tests can pin the time. Pure functions, thread-safe.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace berth::apiserver {

// Where rows read the current time from; empty means the system clock.
using NowFn = std::function<Clock::WallTime()>;

// Calls `now`, or reads the system clock when it is empty.
Clock::WallTime currentTime(const NowFn& now);

// k8s.io/apimachinery/pkg/util/duration.HumanDuration: "<invalid>" below -1s, "0s" for -1s..0,
// "45s" up to 2 minutes, "3m10s" up to 10 minutes, "25m" up to 3 hours, "5h30m" up to 8
// hours, "20h" up to 2 days, "3d4h" up to 8 days, "50d" up to 2 years, "3y20d" up to 8 years,
// then "9y".
std::string humanDuration(std::chrono::nanoseconds d);

// kubectl's translateTimestampSince: the human duration from `timestamp` to `now`, or
// "<unknown>" when the timestamp is empty or unparseable.
std::string timestampSince(std::string_view timestamp, Clock::WallTime now);

}  // namespace berth::apiserver
