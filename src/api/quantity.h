#pragma once

// Kubernetes resource quantities: "100m", "0.5", "2", "64Mi", "1G", "1e3", "-1.5Ki".
//
// The syntax is resource.Quantity's: an optionally signed decimal number (".5" and "5." are
// allowed) followed by at most one suffix: a decimal SI suffix (n u m "" k M G T P E), a binary
// one (Ki Mi Gi Ti Pi Ei) or a decimal exponent (e3, E-3, e+3). Errors carry Kubernetes' messages,
// with code kInvalidArgument:
//   "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
//   "unable to parse quantity's suffix"          (e.g. "1Gb", "5i", "1e")
//   "unable to parse numeric part of quantity"   (e.g. ".", "1.2.3" is a format error)
// Values whose result does not fit an int64 fail with kInvalidArgument "quantity '…' is too
// large" (Kubernetes keeps arbitrary precision; Berth's consumers need int64).
// Rounding is away from zero, as Quantity.Value()/MilliValue() do: "100m" -> 1, "-100m" -> -1.
// All functions are pure and thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::api {

// The value in thousandths, rounded up ("100m" -> 100, "2" -> 2000, "1Ki" -> 1024000).
Result<int64_t> parseQuantityMilli(std::string_view text);

// The value rounded up to an integer ("64Mi" -> 67108864, "100m" -> 1).
Result<int64_t> parseQuantity(std::string_view text);

// Ok if `text` is a syntactically valid quantity (any magnitude), else the error above.
Status checkQuantity(std::string_view text);

// The canonical form Kubernetes prints a quantity in (Quantity.String()): "0.5" -> "500m",
// "1000" -> "1k", "2048Ki" -> "2Mi", "1.5Gi" -> "1536Mi", "1e3" -> "1e3", "1200m" -> "1200m".
// Values are rounded up to a multiple of 1n first. Errors as above.
Result<std::string> canonicalQuantity(std::string_view text);

// -1, 0 or 1 as a < b, a == b, a > b, comparing exact values (any magnitude). Errors as above.
Result<int> compareQuantities(std::string_view a, std::string_view b);

}  // namespace berth::api
