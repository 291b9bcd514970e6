#include "strata/ingest/forward/forward_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "strata/common/compression.h"

namespace strata::ingest::forward {
namespace {

namespace mp = common::msgpack;
using model::Field;
using model::LabelSet;

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kNow = 1'718'452'800 * kSec;

DecodeOptions Options() {
  static const model::LabelPolicy policy;
  DecodeOptions o;
  o.labels = &policy;
  o.receive_time_ns = kNow;
  return o;
}

// {"message"|"log": text, extra...}
std::string Record(const std::string& key, const std::string& text, int extra_fields = 0) {
  std::string r;
  mp::AppendMapHeader(r, 1 + extra_fields);
  mp::AppendStr(r, key);
  mp::AppendStr(r, text);
  for (int i = 0; i < extra_fields; ++i) {
    mp::AppendStr(r, "f" + std::to_string(i));
    mp::AppendUint(r, i);
  }
  return r;
}

std::string Entry(const std::string& time, const std::string& record) {
  std::string e;
  mp::AppendArrayHeader(e, 2);
  return e + time + record;
}

std::string Uint(uint64_t v) {
  std::string s;
  mp::AppendUint(s, v);
  return s;
}

std::string ChunkOption(const std::string& chunk, const std::string& compressed = "") {
  std::string o;
  mp::AppendMapHeader(o, compressed.empty() ? 1 : 2);
  mp::AppendStr(o, "chunk");
  mp::AppendStr(o, chunk);
  if (!compressed.empty()) {
    mp::AppendStr(o, "compressed");
    mp::AppendStr(o, compressed);
  }
  return o;
}

std::string Header(uint32_t arity, const std::string& tag) {
  std::string m;
  mp::AppendArrayHeader(m, arity);
  mp::AppendStr(m, tag);
  return m;
}

TEST(ForwardDecoderTest, MessageModeWithEventTimeAndAllValueKinds) {
  std::string record;
  mp::AppendMapHeader(record, 8);
  mp::AppendStr(record, "log");
  mp::AppendStr(record, "hello world");
  mp::AppendStr(record, "level");
  mp::AppendStr(record, "warning");
  mp::AppendStr(record, "service");
  mp::AppendStr(record, "api");
  mp::AppendStr(record, "count");
  mp::AppendInt(record, -3);
  mp::AppendStr(record, "ok");
  mp::AppendBool(record, true);
  mp::AppendStr(record, "kubernetes");
  mp::AppendMapHeader(record, 2);
  mp::AppendStr(record, "pod");
  mp::AppendStr(record, "p-1");
  mp::AppendStr(record, "labels");
  mp::AppendMapHeader(record, 1);
  mp::AppendStr(record, "app");
  mp::AppendStr(record, "web");
  mp::AppendStr(record, "tags");
  mp::AppendArrayHeader(record, 2);
  mp::AppendStr(record, "a");
  mp::AppendDouble(record, 1.5);
  mp::AppendStr(record, "gone");
  mp::AppendNil(record);
  std::string msg = Header(4, "app.web") + EncodeEventTime(1718452800, 123456789) + record + ChunkOption("c1");

  auto d = DecodeForwardMessage(msg, Options());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->mode, Mode::kMessage);
  EXPECT_EQ(d->chunk, "c1");
  EXPECT_EQ(d->tag, "app.web");
  ASSERT_EQ(d->records.size(), 1u);
  const auto& r = d->records[0];
  EXPECT_EQ(r.timestamp_ns, 1718452800 * kSec + 123456789);
  EXPECT_EQ(r.message, "hello world");
  EXPECT_EQ(r.labels, (LabelSet{{"level", "WARN"}, {"service", "api"}, {"tag", "app.web"}}));
  std::vector<Field> want = {{"count", "-3"},
                             {"ok", "true"},
                             {"kubernetes.pod", "p-1"},
                             {"kubernetes.labels.app", "web"},
                             {"tags", "[\"a\",1.5]"}};
  EXPECT_EQ(r.fields, want);
}

TEST(ForwardDecoderTest, MessageModeIntegerAndFloatTimesWithoutOption) {
  auto d = DecodeForwardMessage(Header(3, "t") + Uint(1718452800) + Record("message", "m"), Options());
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->chunk.has_value());
  EXPECT_EQ(d->records.at(0).timestamp_ns, 1718452800 * kSec);
  std::string f;
  mp::AppendDouble(f, 1718452800.25);
  d = DecodeForwardMessage(Header(3, "t") + f + Record("message", "m"), Options());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->records.at(0).timestamp_ns, 1718452800 * kSec + 250'000'000);
}

TEST(ForwardDecoderTest, MessageAndLogBothPresent) {
  std::string record;
  mp::AppendMapHeader(record, 2);
  mp::AppendStr(record, "log");
  mp::AppendStr(record, "raw");
  mp::AppendStr(record, "message");
  mp::AppendStr(record, "parsed");
  auto d = DecodeForwardMessage(Header(3, "t") + Uint(1) + record, Options());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->records.at(0).message, "parsed");
  EXPECT_EQ(d->records.at(0).fields, (std::vector<Field>{{"log", "raw"}}));
}

TEST(ForwardDecoderTest, ForwardModeKeepsGoodEntriesAndRejectsBadOnes) {
  std::string entries;
  mp::AppendArrayHeader(entries, 5);
  entries += Entry(Uint(1718452801), Record("log", "one"));
  entries += Entry(EncodeEventTime(1718452802, 5), Record("log", "two"));
  std::string bad_time;
  mp::AppendStr(bad_time, "yesterday");
  entries += Entry(bad_time, Record("log", "bad time"));
  entries += Entry(Uint(1), Uint(2));  // record not a map
  mp::AppendUint(entries, 7);          // not an entry
  auto d = DecodeForwardMessage(Header(3, "fw") + entries + ChunkOption("abc"), Options());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->mode, Mode::kForward);
  EXPECT_EQ(d->chunk, "abc");
  ASSERT_EQ(d->records.size(), 2u);
  EXPECT_EQ(d->records[1].timestamp_ns, 1718452802 * kSec + 5);
  ASSERT_EQ(d->rejected.size(), 3u);
  EXPECT_EQ(d->rejected[0].index, 2u);
  EXPECT_EQ(d->rejected[0].reason, "time: expected an integer, float or EventTime, got str");
  EXPECT_EQ(d->rejected[1].reason, "record: expected a map, got uint");
  EXPECT_EQ(d->rejected[2].reason, "entry: expected [time, record]");
}

TEST(ForwardDecoderTest, PackedForwardStrAndBin) {
  std::string stream = Entry(Uint(1718452801), Record("log", "p1")) + Entry(Uint(1718452802), Record("log", "p2"));
  for (bool as_bin : {false, true}) {
    std::string msg = Header(3, "pk");
    if (as_bin) {
      mp::AppendBin(msg, stream);
    } else {
      mp::AppendStr(msg, stream);
    }
    msg += ChunkOption("k");
    auto d = DecodeForwardMessage(msg, Options());
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->mode, Mode::kPackedForward);
    ASSERT_EQ(d->records.size(), 2u);
    EXPECT_EQ(d->records[1].message, "p2");
  }
}

TEST(ForwardDecoderTest, PackedForwardGarbageAfterGoodEntries) {
  std::string stream = Entry(Uint(1718452801), Record("log", "good")) + "\xc1\x01\x02";
  std::string msg = Header(2, "pk");
  mp::AppendBin(msg, stream);
  auto d = DecodeForwardMessage(msg, Options());
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->records.size(), 1u);
  ASSERT_EQ(d->rejected.size(), 1u);
  EXPECT_EQ(d->rejected[0].index, 1u);
  EXPECT_EQ(d->rejected[0].reason.rfind("entry: msgpack: reserved format byte", 0), 0u);
}

TEST(ForwardDecoderTest, CompressedPackedForwardWithConcatenatedGzipMembers) {
  std::string a = Entry(Uint(1718452801), Record("log", "z1"));
  std::string b = Entry(Uint(1718452802), Record("log", "z2"));
  std::string msg = Header(3, "cz");
  mp::AppendBin(msg, common::GzipCompress(a) + common::GzipCompress(b));
  msg += ChunkOption("gz", "gzip");
  auto d = DecodeForwardMessage(msg, Options());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->mode, Mode::kCompressedPackedForward);
  ASSERT_EQ(d->records.size(), 2u);
  EXPECT_EQ(d->records[0].message, "z1");
  EXPECT_EQ(d->records[1].message, "z2");
}

TEST(ForwardDecoderTest, DecompressionIsBounded) {
  std::string stream;
  for (int i = 0; i < 2000; ++i) stream += Entry(Uint(1718452801), Record("log", std::string(500, 'a')));
  std::string msg = Header(3, "bomb");
  mp::AppendBin(msg, common::GzipCompress(stream));
  msg += ChunkOption("b", "gzip");
  DecodeOptions o = Options();
  o.max_decompressed_bytes = 100'000;
  auto d = DecodeForwardMessage(msg, o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::StatusCode::kPayloadTooLarge);
}

TEST(ForwardDecoderTest, LimitsRejectEntries) {
  DecodeOptions o = Options();
  o.max_fields = 2;
  o.max_line_bytes = 50;
  std::string entries;
  mp::AppendArrayHeader(entries, 3);
  entries += Entry(Uint(1), Record("log", "fine", 2));
  entries += Entry(Uint(1), Record("log", "fields", 3));
  entries += Entry(Uint(1), Record("log", std::string(60, 'x')));
  auto d = DecodeForwardMessage(Header(2, "t") + entries, o);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->records.size(), 1u);
  ASSERT_EQ(d->rejected.size(), 2u);
  EXPECT_EQ(d->rejected[0].reason, "too many fields: 3 > limit 2");
  EXPECT_EQ(d->rejected[1].reason.rfind("line too long: ", 0), 0u);
}

TEST(ForwardDecoderTest, HeartbeatAndAck) {
  auto d = DecodeForwardMessage(std::string(1, '\xc0'), Options());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->mode, Mode::kHeartbeat);
  EXPECT_TRUE(d->records.empty());
  const std::string ack_bytes = EncodeAck("xyz");
  auto ack = mp::DecodeExact(ack_bytes);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->Find("ack")->bytes, "xyz");
}

TEST(ForwardDecoderTest, ProtocolErrors) {
  struct Case {
    std::string msg;
    const char* error;
  };
  std::string map_top;
  mp::AppendMapHeader(map_top, 0);
  std::string int_tag;
  mp::AppendArrayHeader(int_tag, 3);
  mp::AppendUint(int_tag, 1);
  std::string packed_bad_compression = Header(3, "t");
  mp::AppendBin(packed_bad_compression, "x");
  packed_bad_compression += ChunkOption("c", "zstd");
  std::string packed_bad_gzip = Header(3, "t");
  mp::AppendBin(packed_bad_gzip, "not gzip");
  packed_bad_gzip += ChunkOption("c", "gzip");
  std::string option_not_map = Header(3, "t") + Uint(1) + Record("log", "x");
  mp::AppendArrayHeader(option_not_map, 0);
  option_not_map[0] = static_cast<char>(0x94);
  const Case cases[] = {
      {map_top, "forward: expected an array, got map"},
      {Header(1, "t").substr(0, 1) + "\xa1t", "forward: expected an array of 2 to 4 elements, got 1"},
      {int_tag + Uint(1) + Record("log", "x"), "forward: tag must be a str, got uint"},
      {Header(2, "t") + Uint(1), "forward: Message mode takes [tag, time, record, option?]"},
      {packed_bad_compression, "forward: unsupported compression \"zstd\" (supported: gzip)"},
      {option_not_map, "forward: option must be a map, got array"},
      {Header(2, "t") + std::string("\x90", 1) + "junk", "forward: 4 bytes after the message"},
  };
  for (const auto& c : cases) {
    auto d = DecodeForwardMessage(c.msg, Options());
    ASSERT_FALSE(d.ok()) << c.error;
    EXPECT_EQ(d.status().message(), c.error);
    EXPECT_EQ(d.status().code(), base::StatusCode::kInvalidArgument);
  }
  auto d = DecodeForwardMessage(packed_bad_gzip, Options());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::ingest::forward
