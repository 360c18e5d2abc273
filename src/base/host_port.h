#pragma once

// "HOST:PORT" as the --listen flags take it: "127.0.0.1:6443", "0.0.0.0:0", "[::1]:10250".

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth {

struct HostPort {
  std::string host;  // without IPv6 brackets; may be empty (all addresses)
  uint16_t port = 0;
};

// kInvalidArgument "'x' is not HOST:PORT" / "'x': the port must be 0-65535".
Result<HostPort> splitHostPort(std::string_view text);

}  // namespace berth
