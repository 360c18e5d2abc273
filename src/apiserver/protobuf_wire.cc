#include "apiserver/protobuf_wire.h"

namespace berth::apiserver::protobuf {

namespace {

// Field numbers are 29 bits; 19000-19999 are reserved but harmless to read.
constexpr uint64_t kMaxFieldNumber = (uint64_t{1} << 29) - 1;

uint64_t littleEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i > 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i - 1]);
  }
  return value;
}

}  // namespace

Result<uint64_t> WireReader::readVarint() {
  uint64_t value = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= data_.size()) {
      return fail(ErrorCode::kInvalidArgument, "truncated varint at offset {}", pos_);
    }
    auto byte = static_cast<unsigned char>(data_[pos_++]);
    // The tenth byte holds only bit 63; anything more would overflow 64 bits.
    if (i == 9 && byte > 1) {
      return fail(ErrorCode::kInvalidArgument, "varint overflows 64 bits at offset {}", pos_ - 1);
    }
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      return value;
    }
  }
  return fail(ErrorCode::kInvalidArgument, "varint longer than 10 bytes at offset {}", pos_);
}

Result<std::string_view> WireReader::take(uint64_t n) {
  if (n > data_.size() - pos_) {
    return fail(ErrorCode::kInvalidArgument,
                "field of {} bytes at offset {} runs past the end ({})", n, pos_, data_.size());
  }
  std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}

Result<WireField> WireReader::next() {
  size_t start = pos_;
  BERTH_ASSIGN_OR_RETURN(uint64_t tag, readVarint());
  uint64_t number = tag >> 3;
  if (number == 0 || number > kMaxFieldNumber) {
    return fail(ErrorCode::kInvalidArgument, "invalid field number {} at offset {}", number, start);
  }
  WireField field;
  field.number = static_cast<uint32_t>(number);
  switch (tag & 7) {
    case 0: {
      field.type = WireType::kVarint;
      BERTH_ASSIGN_OR_RETURN(field.scalar, readVarint());
      return field;
    }
    case 1: {
      field.type = WireType::kFixed64;
      BERTH_ASSIGN_OR_RETURN(std::string_view raw, take(8));
      field.scalar = littleEndian(raw);
      return field;
    }
    case 2: {
      field.type = WireType::kLengthDelimited;
      BERTH_ASSIGN_OR_RETURN(uint64_t length, readVarint());
      BERTH_ASSIGN_OR_RETURN(field.bytes, take(length));
      return field;
    }
    case 5: {
      field.type = WireType::kFixed32;
      BERTH_ASSIGN_OR_RETURN(std::string_view raw, take(4));
      field.scalar = littleEndian(raw);
      return field;
    }
    default:
      return fail(ErrorCode::kInvalidArgument, "unsupported wire type {} for field {} at offset {}",
                  tag & 7, number, start);
  }
}

}  // namespace berth::apiserver::protobuf
