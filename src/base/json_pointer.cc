#include "base/json_pointer.h"

namespace berth {

std::string stringAtPointer(const nlohmann::json& doc, const char* pointer,
                            const std::string& fallback) {
  nlohmann::json::json_pointer ptr(pointer);
  if (!doc.is_object() || !doc.contains(ptr) || !doc.at(ptr).is_string()) {
    return fallback;
  }
  return doc.at(ptr).get<std::string>();
}

}  // namespace berth
