#include "store/key_range.h"

namespace berth::store {

std::optional<std::string> prefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();  // "a\xff" has no successor of the same length: bump the byte before
  }
  return std::nullopt;
}

}  // namespace berth::store
