#pragma once

// Conversions of protobuf values into the strings Kubernetes' Go JSON encoding writes for them.
// Used by protobuf_decode.cc; pure functions, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/base64.h"
#include "base/error.h"

namespace berth::apiserver::protobuf {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF). nlohmann::json refuses to dump anything else.
bool isValidUtf8(std::string_view text);

// metav1.Time: "2006-01-02T15:04:05Z" (RFC 3339, UTC, whole seconds; nanos are dropped as Go's
// time.RFC3339 layout drops them). With `micros`, metav1.MicroTime's
// "2006-01-02T15:04:05.000000Z". Years outside 0000..9999 and nanos outside
// [0, 999999999] are kInvalidArgument (Go's JSON encoder refuses such times too).
Result<std::string> formatTime(int64_t seconds, int64_t nanos, bool micros);

// time.Duration.String() of Go: "0s", "1.5s", "2m0s", "1h0m0s", "300ms", "1µs", "-5ns".
std::string formatGoDuration(int64_t nanoseconds);

}  // namespace berth::apiserver::protobuf
