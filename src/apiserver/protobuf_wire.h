#pragma once

// A reader for the protobuf wire format (https://protobuf.dev/programming-guides/encoding/):
// a message is a sequence of (tag, value) records, tag = field_number << 3 | wire_type.
//
// The reader only splits bytes into fields; it knows nothing about schemas. Every read is
// bounds-checked: malformed input (a truncated or over-long varint, a length past the end, a
// field number 0, a group or an unknown wire type) is an ErrorCode::kInvalidArgument, never an
// over-read. The reader does not copy: the string_views it returns point into the input, which
// must outlive them.
//
// Not thread-safe; use one reader per thread.

#include <cstdint>
#include <string_view>

#include "base/error.h"

namespace berth::apiserver::protobuf {

enum class WireType : uint8_t {
  kVarint = 0,           // int32, int64, uint*, bool, enum
  kFixed64 = 1,          // fixed64, sfixed64, double
  kLengthDelimited = 2,  // string, bytes, embedded messages, packed repeated fields
  kStartGroup = 3,       // deprecated groups: rejected
  kEndGroup = 4,         // deprecated groups: rejected
  kFixed32 = 5,          // fixed32, sfixed32, float
};

// One record of a message.
struct WireField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  // The value of a kVarint, kFixed64 or kFixed32 field (fixed values are little-endian decoded).
  uint64_t scalar = 0;
  // The payload of a kLengthDelimited field.
  std::string_view bytes;
};

class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  // True when every byte has been consumed.
  bool done() const { return pos_ == data_.size(); }

  // Reads the next record. REQUIRES: !done().
  Result<WireField> next();

  // Reads one base-128 varint (at most 10 bytes, no bits beyond the 64th).
  Result<uint64_t> readVarint();

 private:
  Result<std::string_view> take(uint64_t n);

  std::string_view data_;
  size_t pos_ = 0;
};

// Interprets a varint as the int32 protobuf wrote: negative int32 values are sign-extended to
// ten bytes, so the low 32 bits carry the value.
inline int32_t varintToInt32(uint64_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(v));
}
inline int64_t varintToInt64(uint64_t v) {
  return static_cast<int64_t>(v);
}

}  // namespace berth::apiserver::protobuf
