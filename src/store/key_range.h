#pragma once

// Key ranges of a prefix, for backends that scan sorted keys (sqlite here, etcd's range_end).

#include <optional>
#include <string>
#include <string_view>

namespace berth::store {

// The smallest key greater than every key starting with `prefix`, comparing bytewise (as
// unsigned chars): "a/" -> "a0", "a\xff" -> "b". nullopt when there is none (an empty prefix
// or one of only 0xff bytes): the range is unbounded above.
std::optional<std::string> prefixEnd(std::string_view prefix);

}  // namespace berth::store
