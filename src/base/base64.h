#pragma once

// Standard base64 (RFC 4648 §4, the alphabet with '+' and '/'), as Kubernetes Secret data,
// kubeconfig certificate data, protobuf bytes and crun's seccomp annotation carry it.

#include <string>
#include <string_view>

#include "base/error.h"

namespace berth {

// Encodes with padding.
std::string base64Encode(std::string_view bytes);

enum class Base64Mode {
  // Go's base64.StdEncoding, which the API server applies to Secret data: padding required,
  // only '\r' and '\n' skipped.
  kStrict,
  // Padding optional and any whitespace skipped (kubeconfig data, hand-written values).
  kLenient,
};

// Decodes `text`. kInvalidArgument "illegal base64 data at input byte N" (Go's wording, N the
// offset of the first bad byte, or the length when the input ends inside a group).
Result<std::string> base64Decode(std::string_view text, Base64Mode mode = Base64Mode::kStrict);

}  // namespace berth
