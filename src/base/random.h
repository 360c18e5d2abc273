#pragma once

#include <string>

namespace berth {

// `bytes` random bytes from the kernel's CSPRNG, as lowercase hex (2*bytes characters).
std::string randomHex(size_t bytes);

}  // namespace berth
