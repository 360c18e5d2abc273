#include "apiserver/protobuf_wire.h"

#include <gtest/gtest.h>

#include <string>

#include "protobuf_test_util.h"

namespace berth::apiserver::protobuf {
namespace {

using testing::pbBytes;
using testing::pbInt;
using testing::pbVarint;

TEST(ProtobufWire, ReadsVarintsOfEveryLength) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{300},
                     uint64_t{1} << 35, ~uint64_t{0}}) {
    std::string bytes = pbVarint(v);
    WireReader reader(bytes);
    auto got = reader.readVarint();
    ASSERT_TRUE(got.has_value()) << v;
    EXPECT_EQ(*got, v);
    EXPECT_TRUE(reader.done());
  }
  EXPECT_EQ(pbVarint(~uint64_t{0}).size(), 10u);
}

TEST(ProtobufWire, RejectsBadVarints) {
  std::string truncated = "\x80\x80";
  EXPECT_FALSE(WireReader(truncated).readVarint().has_value());
  std::string empty;
  EXPECT_FALSE(WireReader(empty).readVarint().has_value());
  // Eleven bytes: longer than any 64-bit value.
  std::string tooLong(10, '\x80');
  tooLong += '\x01';
  auto error = WireReader(tooLong).readVarint();
  ASSERT_FALSE(error.has_value());
  EXPECT_EQ(error.error().code(), ErrorCode::kInvalidArgument);
  // Ten bytes whose last one carries more than bit 63.
  std::string overflow(9, '\xff');
  overflow += '\x02';
  EXPECT_FALSE(WireReader(overflow).readVarint().has_value());
}

TEST(ProtobufWire, SplitsFieldsOfAllWireTypes) {
  std::string fixed64 = std::string("\x11", 1) + std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  std::string fixed32 = std::string("\x1d", 1) + std::string("\xff\x00\x00\x80", 4);
  std::string bytes = pbInt(1, -1) + fixed64 + fixed32 + pbBytes(4, "abc") + pbInt(536870911, 7);
  WireReader reader(bytes);

  auto f = reader.next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->number, 1u);
  EXPECT_EQ(f->type, WireType::kVarint);
  EXPECT_EQ(varintToInt32(f->scalar), -1);
  EXPECT_EQ(varintToInt64(f->scalar), -1);

  f = reader.next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->number, 2u);
  EXPECT_EQ(f->type, WireType::kFixed64);
  EXPECT_EQ(f->scalar, 0x0807060504030201u);

  f = reader.next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->type, WireType::kFixed32);
  EXPECT_EQ(f->scalar, 0x800000ffu);

  f = reader.next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->type, WireType::kLengthDelimited);
  EXPECT_EQ(f->bytes, "abc");

  f = reader.next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->number, 536870911u);  // the largest field number
  EXPECT_EQ(f->scalar, 7u);
  EXPECT_TRUE(reader.done());
}

TEST(ProtobufWire, RejectsMalformedFields) {
  auto fails = [](std::string bytes) {
    WireReader reader(bytes);
    auto field = reader.next();
    return !field.has_value() && field.error().code() == ErrorCode::kInvalidArgument;
  };
  EXPECT_TRUE(
      fails("\x0a\x05"
            "abc"));                                    // length past the end
  EXPECT_TRUE(fails("\x0a"));                           // length missing
  EXPECT_TRUE(fails("\x0a\xff\xff\xff\xff\x0f"));       // a 4 GiB length in a tiny buffer
  EXPECT_TRUE(fails("\x08"));                           // varint value missing
  EXPECT_TRUE(fails("\x11\x01\x02"));                   // fixed64 short
  EXPECT_TRUE(fails("\x1d\x01"));                       // fixed32 short
  EXPECT_TRUE(fails(std::string("\x00\x01", 2)));       // field number 0
  EXPECT_TRUE(fails("\x0b"));                           // start group
  EXPECT_TRUE(fails("\x0c"));                           // end group
  EXPECT_TRUE(fails("\x0e"));                           // wire type 6
  EXPECT_TRUE(fails("\x0f"));                           // wire type 7
  EXPECT_TRUE(fails(pbVarint(uint64_t{1} << 32 | 0)));  // field number past 2^29-1
}

TEST(ProtobufWire, LengthIsCheckedWithoutOverflow) {
  // A length close to 2^64 must not wrap around when added to the position.
  std::string bytes = "\x0a" + pbVarint(~uint64_t{0} - 1) + "x";
  WireReader reader(bytes);
  EXPECT_FALSE(reader.next().has_value());
}

}  // namespace
}  // namespace berth::apiserver::protobuf
