#pragma once

// Reading one field of a JSON document that may not have the expected shape (an object from a
// cache, a manifest that failed to decode).

#include <nlohmann/json.hpp>
#include <string>

namespace berth {

// The string at JSON pointer `pointer` ("/metadata/uid") in `doc`, or `fallback` when it is
// absent or not a string.
std::string stringAtPointer(const nlohmann::json& doc, const char* pointer,
                            const std::string& fallback = "");

}  // namespace berth
