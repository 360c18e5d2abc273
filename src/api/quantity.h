#pragma once

// Kubernetes resource quantities: "100m", "0.5", "2", "64Mi", "1G", "1e3".

#include <cstdint>
#include <string_view>

#include "base/error.h"

namespace berth::api {

// The value in thousandths, rounded up ("100m" -> 100, "2" -> 2000, "1Ki" -> 1024000).
Result<int64_t> parseQuantityMilli(std::string_view text);

// The value rounded up to an integer ("64Mi" -> 67108864, "100m" -> 1).
Result<int64_t> parseQuantity(std::string_view text);

}  // namespace berth::api
