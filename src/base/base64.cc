#include "base/base64.h"

#include <cctype>
#include <cstdint>

namespace berth {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::unexpected<Error> illegalAt(size_t offset) {
  return fail(ErrorCode::kInvalidArgument, "illegal base64 data at input byte {}", offset);
}

bool skipped(char c, Base64Mode mode) {
  if (mode == Base64Mode::kStrict) {
    return c == '\r' || c == '\n';
  }
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (rest == 2) {
      n |= uint8_t(bytes[i + 1]) << 8;
    }
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> base64Decode(std::string_view text, Base64Mode mode) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t quantum = 0;  // symbols (padding included) in the current 4-symbol group
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (skipped(c, mode)) {
      continue;
    }
    if (c == '=') {
      // Padding only completes a group that has at least 2 symbols.
      if (quantum < 2) {
        return illegalAt(i);
      }
      ++padding;
      quantum = (quantum + 1) % 4;
      continue;
    }
    if (padding > 0) {
      return illegalAt(i);
    }
    auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) {
      return illegalAt(i);
    }
    acc = (acc << 6) | static_cast<uint32_t>(pos);
    bits += 6;
    quantum = (quantum + 1) % 4;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (quantum == 1 || (quantum != 0 && mode == Base64Mode::kStrict)) {
    return illegalAt(text.size());
  }
  return out;
}

}  // namespace berth
