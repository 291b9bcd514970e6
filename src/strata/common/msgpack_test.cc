#include "strata/common/msgpack.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace strata::common::msgpack {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s += static_cast<char>(c);
  return s;
}

TEST(MsgpackTest, DecodesEveryScalarFormat) {
  struct Case {
    std::string in;
    Type type;
    int64_t i;
    uint64_t u;
  };
  const Case cases[] = {
      {Bytes({0x00}), Type::kUint, 0, 0},
      {Bytes({0x7f}), Type::kUint, 0, 127},
      {Bytes({0xff}), Type::kInt, -1, 0},
      {Bytes({0xe0}), Type::kInt, -32, 0},
      {Bytes({0xcc, 0xff}), Type::kUint, 0, 255},
      {Bytes({0xcd, 0x01, 0x00}), Type::kUint, 0, 256},
      {Bytes({0xce, 0xff, 0xff, 0xff, 0xff}), Type::kUint, 0, 0xffffffffull},
      {Bytes({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), Type::kUint, 0, UINT64_MAX},
      {Bytes({0xd0, 0x80}), Type::kInt, -128, 0},
      {Bytes({0xd0, 0x05}), Type::kUint, 0, 5},  // non-negative signed formats are kUint
      {Bytes({0xd1, 0x80, 0x00}), Type::kInt, -32768, 0},
      {Bytes({0xd2, 0x80, 0x00, 0x00, 0x00}), Type::kInt, INT32_MIN, 0},
      {Bytes({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}), Type::kInt, INT64_MIN, 0},
  };
  for (const auto& c : cases) {
    auto v = DecodeExact(c.in);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->type, c.type);
    EXPECT_EQ(v->int_value, c.i);
    EXPECT_EQ(v->uint_value, c.u);
  }
  EXPECT_EQ(DecodeExact(Bytes({0xc0}))->type, Type::kNil);
  EXPECT_TRUE(DecodeExact(Bytes({0xc3}))->boolean);
  EXPECT_FALSE(DecodeExact(Bytes({0xc2}))->boolean);
  EXPECT_EQ(DecodeExact(Bytes({0xca, 0x3f, 0xc0, 0x00, 0x00}))->float_value, 1.5);
  EXPECT_EQ(DecodeExact(Bytes({0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18}))->float_value, M_PI);
}

TEST(MsgpackTest, DecodesStringsBinariesAndExtensions) {
  EXPECT_EQ(DecodeExact(Bytes({0xa3, 'a', 'b', 'c'}))->bytes, "abc");
  EXPECT_EQ(DecodeExact(Bytes({0xd9, 2, 'h', 'i'}))->bytes, "hi");
  EXPECT_EQ(DecodeExact(Bytes({0xda, 0, 1, 'x'}))->bytes, "x");
  EXPECT_EQ(DecodeExact(Bytes({0xdb, 0, 0, 0, 1, 'y'}))->bytes, "y");
  const std::string bin_in = Bytes({0xc4, 2, 0, 1});  // a Value borrows from its input
  auto bin = DecodeExact(bin_in);
  EXPECT_EQ(bin->type, Type::kBin);
  EXPECT_EQ(bin->bytes, std::string("\0\1", 2));
  EXPECT_EQ(DecodeExact(Bytes({0xc5, 0, 1, 9}))->bytes, "\x09");
  EXPECT_EQ(DecodeExact(Bytes({0xc6, 0, 0, 0, 1, 9}))->bytes, "\x09");
  const std::string fixext_in = Bytes({0xd4, 0x05, 0x2a});
  auto fixext = DecodeExact(fixext_in);
  EXPECT_EQ(fixext->type, Type::kExt);
  EXPECT_EQ(fixext->ext_type, 5);
  EXPECT_EQ(fixext->bytes, "*");
  for (int size : {2, 4, 8, 16}) {
    std::string in = Bytes({size == 2 ? 0xd5 : size == 4 ? 0xd6 : size == 8 ? 0xd7 : 0xd8, 0xff});
    in += std::string(size, 'e');
    auto v = DecodeExact(in);
    ASSERT_TRUE(v.ok()) << size;
    EXPECT_EQ(v->ext_type, -1);
    EXPECT_EQ(v->bytes.size(), static_cast<size_t>(size));
  }
  EXPECT_EQ(DecodeExact(Bytes({0xc7, 3, 1, 'a', 'b', 'c'}))->bytes, "abc");
  EXPECT_EQ(DecodeExact(Bytes({0xc8, 0, 1, 1, 'a'}))->bytes, "a");
  EXPECT_EQ(DecodeExact(Bytes({0xc9, 0, 0, 0, 1, 1, 'a'}))->bytes, "a");
}

TEST(MsgpackTest, DecodesContainersAndRoundTripsTheEncoder) {
  std::string in;
  AppendMapHeader(in, 3);
  AppendStr(in, "a");
  AppendArrayHeader(in, 20);
  for (int i = 0; i < 20; ++i) AppendInt(in, -i * 1000);
  AppendStr(in, std::string(300, 'k'));
  AppendBin(in, std::string(70000, 'b'));
  AppendStr(in, "m");
  AppendMapHeader(in, 0);
  auto v = DecodeExact(in);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->map_size(), 3u);
  const Value* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items.size(), 20u);
  EXPECT_EQ(a->items[19].int_value, -19000);
  EXPECT_EQ(v->Find(std::string(300, 'k'))->bytes.size(), 70000u);
  EXPECT_TRUE(v->Find("m")->is_map());
  EXPECT_EQ(v->Find("zzz"), nullptr);

  std::string big;
  AppendArrayHeader(big, 70000);
  for (int i = 0; i < 70000; ++i) AppendNil(big);
  EXPECT_EQ(DecodeExact(big)->items.size(), 70000u);

  std::string d;
  AppendDouble(d, -2.25);
  AppendUint(d, 1ull << 40);
  size_t consumed = 0;
  EXPECT_EQ(Decode(d, &consumed)->float_value, -2.25);
  EXPECT_EQ(consumed, 9u);
}

TEST(MsgpackTest, RejectsMalformedInput) {
  struct Case {
    std::string in;
    const char* error;
  };
  const Case cases[] = {
      {"", "msgpack: truncated value at offset 0"},
      {Bytes({0xc1}), "msgpack: reserved format byte 0xc1 at offset 0"},
      {Bytes({0xa5, 'a'}), "msgpack: truncated str of 5 bytes at offset 0"},
      {Bytes({0xdb, 0xff, 0xff, 0xff, 0xff}), "msgpack: truncated str of 4294967295 bytes at offset 0"},
      {Bytes({0xdd, 0xff, 0xff, 0xff, 0xff}), "msgpack: truncated array of 4294967295 values at offset 0"},
      {Bytes({0xdf, 0x7f, 0xff, 0xff, 0xff, 0xc0}), "msgpack: truncated map of 4294967294 values at offset 0"},
      {Bytes({0x92, 0x01}), "msgpack: truncated array of 2 values at offset 0"},
      {Bytes({0x92, 0x01, 0x91}), "msgpack: truncated array of 1 values at offset 2"},
      {Bytes({0xcd, 0x01}), "msgpack: truncated value at offset 0"},
      {Bytes({0x01, 0x02}), "msgpack: 1 bytes after the value at offset 1"},
  };
  for (const auto& c : cases) {
    auto v = DecodeExact(c.in);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().message(), c.error);
  }
}

TEST(MsgpackTest, BoundsDepthAndElements) {
  std::string deep(100, static_cast<char>(0x91));
  deep += static_cast<char>(0xc0);
  Limits limits;
  limits.max_depth = 64;
  auto v = DecodeExact(deep, limits);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("nesting deeper than 64"), std::string::npos);
  limits.max_depth = 128;
  EXPECT_TRUE(DecodeExact(deep, limits).ok());

  std::string many;
  AppendArrayHeader(many, 1000);
  for (int i = 0; i < 1000; ++i) AppendNil(many);
  limits.max_elements = 500;
  v = DecodeExact(many, limits);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("more than 500 values"), std::string::npos);
}

TEST(MsgpackTest, ScannerFindsValueEndsAcrossArbitrarySplits) {
  std::string msg;
  AppendArrayHeader(msg, 3);
  AppendStr(msg, "tag");
  AppendArrayHeader(msg, 2);
  AppendMapHeader(msg, 1);
  AppendStr(msg, "k");
  AppendBin(msg, std::string(300, 'v'));
  AppendExt(msg, 0, std::string(8, '\0'));
  AppendMapHeader(msg, 0);
  std::string stream = msg + msg;
  for (size_t step = 1; step < msg.size(); step += 7) {
    Scanner scanner;
    std::string buffer;
    size_t fed = 0;
    Scanner::State st = Scanner::State::kIncomplete;
    while (st == Scanner::State::kIncomplete && fed < stream.size()) {
      buffer.append(stream.substr(fed, step));
      fed += step;
      st = scanner.Scan(buffer);
    }
    ASSERT_EQ(st, Scanner::State::kComplete) << step;
    EXPECT_EQ(scanner.end(), msg.size()) << step;
    EXPECT_TRUE(DecodeExact(std::string_view(buffer).substr(0, scanner.end())).ok());
  }
  Scanner scanner;
  EXPECT_EQ(scanner.Scan(Bytes({0xc1})), Scanner::State::kError);
  Scanner shallow(4);
  EXPECT_EQ(shallow.Scan(std::string(10, static_cast<char>(0x91))), Scanner::State::kError);
}

TEST(MsgpackTest, CursorHelpers) {
  std::string m;
  AppendArrayHeader(m, 2);
  AppendStr(m, "x");
  AppendUint(m, 7);
  size_t pos = 0;
  EXPECT_EQ(PeekType(m, 0).value(), Type::kArray);
  EXPECT_EQ(ReadArrayHeader(m, &pos).value(), 2u);
  EXPECT_EQ(DecodeAt(m, &pos)->bytes, "x");
  EXPECT_EQ(DecodeAt(m, &pos)->uint_value, 7u);
  EXPECT_EQ(pos, m.size());
  pos = 1;
  EXPECT_FALSE(ReadArrayHeader(m, &pos).ok());
}

}  // namespace
}  // namespace strata::common::msgpack
