#include "base/host_port.h"

#include <charconv>

namespace berth {

Result<HostPort> splitHostPort(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "'{}' is not HOST:PORT", text);
  }
  HostPort out;
  out.host = std::string(text.substr(0, colon));
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value > 65535) {
    return fail(ErrorCode::kInvalidArgument, "'{}': the port must be 0-65535", text);
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

}  // namespace berth
