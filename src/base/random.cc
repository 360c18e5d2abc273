#include "base/random.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <vector>

namespace berth {

std::string randomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = ::getrandom(buf.data() + got, bytes - got, 0);
    if (n > 0) {
      got += static_cast<size_t>(n);
    }
  }
  std::string out;
  for (unsigned char b : buf) {
    out += fmt::format("{:02x}", b);
  }
  return out;
}

}  // namespace berth
