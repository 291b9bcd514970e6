#include "strata/common/protobuf_wire.h"

#include <gtest/gtest.h>

namespace strata::common::protobuf {
namespace {

TEST(ProtobufWireTest, RoundTripsEveryWireType) {
  WireWriter w;
  w.Varint(1, 0);
  w.Varint(2, UINT64_MAX);
  w.Fixed64(3, 0x0102030405060708ull);
  w.Fixed32(4, 0xdeadbeef);
  w.Bytes(5, "hello");
  w.Bytes(536870911, "");  // the largest field number
  WireReader r(w.data());
  auto k = r.NextKey();
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->number, 1u);
  EXPECT_EQ(r.ReadVarintField(*k, "a").value(), 0u);
  k = r.NextKey();
  EXPECT_EQ(r.ReadVarint().value(), UINT64_MAX);
  k = r.NextKey();
  EXPECT_EQ(k->type, WireType::kFixed64);
  EXPECT_EQ(r.ReadFixed64().value(), 0x0102030405060708ull);
  k = r.NextKey();
  EXPECT_EQ(r.ReadFixed32().value(), 0xdeadbeefu);
  k = r.NextKey();
  EXPECT_EQ(r.ReadBytesField(*k, "s").value(), "hello");
  k = r.NextKey();
  EXPECT_EQ(k->number, 536870911u);
  EXPECT_EQ(r.ReadLengthDelimited().value(), "");
  EXPECT_TRUE(r.done());
}

TEST(ProtobufWireTest, SkipsUnknownFieldsIncludingGroups) {
  WireWriter w;
  w.Varint(7, 300);
  w.Fixed64(8, 1);
  w.Fixed32(9, 1);
  w.Bytes(10, "xyz");
  w.Key(11, WireType::kStartGroup);
  w.Varint(1, 5);
  w.Key(12, WireType::kStartGroup);
  w.Key(12, WireType::kEndGroup);
  w.Key(11, WireType::kEndGroup);
  w.Bytes(1, "kept");
  WireReader r(w.data());
  while (true) {
    auto k = r.NextKey();
    ASSERT_TRUE(k.ok()) << k.status().ToString();
    if (k->number == 1) {
      EXPECT_EQ(r.ReadLengthDelimited().value(), "kept");
      break;
    }
    ASSERT_TRUE(r.Skip(*k).ok());
  }
  EXPECT_TRUE(r.done());
}

struct BadCase {
  std::string name;
  std::string bytes;
  std::string error;  // substring of the message
};

TEST(ProtobufWireTest, MalformedInputIsAnErrorNeverAnOverread) {
  const std::vector<BadCase> cases = {
      {"truncated varint key", "\x80", "truncated varint"},
      {"field number zero", std::string("\x00\x01", 2), "invalid field number 0"},
      {"wire type 6", "\x0e", "invalid wire type 6"},
      {"wire type 7", "\x0f", "invalid wire type 7"},
      {"varint over 64 bits", "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", "varint longer than 64 bits"},
      {"length past end", "\x0a\x05" "abc", "past the end"},
      {"huge length", "\x0a\xff\xff\xff\xff\x0f", "past the end"},
      {"truncated fixed64", "\x09" "1234567", "truncated fixed64"},
      {"truncated fixed32", "\x0d" "123", "truncated fixed32"},
      {"unterminated group", "\x0b\x08\x01", "unterminated group"},
      {"mismatched group end", "\x0b\x14", "mismatched end-group"},
      {"stray end group", "\x0c", "unexpected end-group"},
  };
  for (const auto& c : cases) {
    WireReader r(c.bytes);
    base::Status st;
    while (!r.done() && st.ok()) {
      auto k = r.NextKey();
      if (!k.ok()) {
        st = k.status();
        break;
      }
      st = r.Skip(*k);
    }
    EXPECT_FALSE(st.ok()) << c.name;
    EXPECT_NE(st.message().find(c.error), std::string::npos) << c.name << ": " << st.message();
    EXPECT_NE(st.message().find("malformed protobuf: "), std::string::npos) << c.name;
  }
}

TEST(ProtobufWireTest, WrongWireTypeForAKnownFieldNamesTheField) {
  WireWriter w;
  w.Varint(1, 3);
  WireReader r(w.data());
  auto k = r.NextKey();
  auto s = r.ReadBytesField(*k, "labels");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("labels: expected length-delimited, got varint"), std::string::npos);
}

}  // namespace
}  // namespace strata::common::protobuf
