#pragma once

// A tiny protobuf encoder for building test inputs by hand.

#include <cstdint>
#include <string>
#include <string_view>

namespace berth::apiserver::testing {

inline std::string pbVarint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}

inline std::string pbTag(uint32_t number, int wireType) {
  return pbVarint(uint64_t{number} << 3 | static_cast<uint64_t>(wireType));
}

// A varint field; int32/int64 negatives are sign-extended, as protobuf writes them.
inline std::string pbInt(uint32_t number, int64_t v) {
  return pbTag(number, 0) + pbVarint(static_cast<uint64_t>(v));
}

// A length-delimited field: string, bytes or an embedded message.
inline std::string pbBytes(uint32_t number, std::string_view payload) {
  return pbTag(number, 2) + pbVarint(payload.size()) + std::string(payload);
}

// A map<string, V> entry holding an already encoded value field.
inline std::string pbMapEntry(uint32_t number, std::string_view key, std::string_view value) {
  return pbBytes(number, pbBytes(1, key) + pbBytes(2, value));
}

// A whole request body: magic, runtime.Unknown envelope, raw object.
inline std::string pbBody(std::string_view apiVersion, std::string_view kind,
                          std::string_view raw) {
  std::string typeMeta = pbBytes(1, apiVersion) + pbBytes(2, kind);
  return std::string("k8s\0", 4) + pbBytes(1, typeMeta) + pbBytes(2, raw) + pbBytes(3, "") +
         pbBytes(4, "");
}

}  // namespace berth::apiserver::testing
