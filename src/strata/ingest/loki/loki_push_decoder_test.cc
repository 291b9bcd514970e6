#include "strata/ingest/loki/loki_push_decoder.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "strata/common/protobuf_wire.h"
#include "strata/model/record_codec.h"

namespace strata::ingest::loki {
namespace {

using common::protobuf::WireType;
using common::protobuf::WireWriter;
using model::Field;
using model::LabelSet;

// ---- a tiny encoder of Loki's push messages (field numbers from push.proto), for round trips ----

struct TestEntry {
  int64_t seconds = 0;
  int64_t nanos = 0;
  std::string line;
  std::vector<Field> metadata;
};

std::string EncodeEntry(const TestEntry& e) {
  WireWriter ts;
  if (e.seconds) ts.Varint(1, static_cast<uint64_t>(e.seconds));
  if (e.nanos) ts.Varint(2, static_cast<uint64_t>(e.nanos));
  WireWriter w;
  w.Bytes(1, ts.data());
  w.Bytes(2, e.line);
  for (const auto& m : e.metadata) {
    WireWriter pair;
    pair.Bytes(1, m.name);
    pair.Bytes(2, m.value);
    w.Bytes(3, pair.data());
  }
  return w.Take();
}

std::string EncodeStream(std::string_view labels, const std::vector<TestEntry>& entries) {
  WireWriter w;
  w.Bytes(1, labels);
  for (const auto& e : entries) w.Bytes(2, EncodeEntry(e));
  w.Varint(3, 12345);  // hash: ignored
  return w.Take();
}

std::string EncodeRequest(const std::vector<std::string>& streams) {
  WireWriter w;
  for (const auto& s : streams) w.Bytes(1, s);
  return w.Take();
}

PushOptions Options() {
  PushOptions o;
  o.max_line_bytes = 1000;
  o.max_fields = 3;
  return o;
}

// Every decode in these tests runs twice: into records, and into a record batch (the ingest fast path). Both must
// agree: the same error, the same rejections, and the batch bytes of the same records.
void ExpectSameAsEncoded(const base::Result<PushResult>& records, const base::Result<PushResult>& encoded,
                         model::RecordBatchBuilder& encoder) {
  ASSERT_EQ(records.ok(), encoded.ok());
  if (!records.ok()) {
    EXPECT_EQ(records.status().ToString(), encoded.status().ToString());
    return;
  }
  EXPECT_TRUE(encoded->records.empty());
  EXPECT_EQ(records->rejected, encoded->rejected);
  model::EncodedBatch batch = encoder.Finish();
  std::string want;
  model::EncodeRecordBatch(model::LogBatch{"t", records->records}, &want);
  EXPECT_EQ(batch.payload, want);
  EXPECT_EQ(batch.records, records->records.size());
  size_t raw = 0;
  for (const auto& r : records->records) raw += r.RawBytes();
  EXPECT_EQ(batch.raw_bytes, raw);
}

base::Result<PushResult> DecodeJson(std::string_view body, const PushOptions& options) {
  auto records = DecodePushJson(body, options);
  model::RecordBatchBuilder encoder("t");
  auto encoded = DecodePushJson(body, options, &encoder);
  ExpectSameAsEncoded(records, encoded, encoder);
  return records;
}

base::Result<PushResult> DecodeProto(std::string_view message, const PushOptions& options) {
  auto records = DecodePushProto(message, options);
  model::RecordBatchBuilder encoder("t");
  auto encoded = DecodePushProto(message, options, &encoder);
  ExpectSameAsEncoded(records, encoded, encoder);
  return records;
}

std::vector<std::string> Messages(const PushResult& r) {
  std::vector<std::string> out;
  for (const auto& x : r.rejected) out.push_back(x.message);
  return out;
}

// ---- labels ----

TEST(LokiLabelsTest, ParsesPrometheusTextForm) {
  struct Case {
    std::string text;
    LabelSet want;
  };
  const std::vector<Case> cases = {
      {R"({app="api"})", {{"app", "api"}}},
      {R"({ b = "2" , a="1", })", {{"a", "1"}, {"b", "2"}}},
      {R"({a="q\"uote\\ \n\t\x41\101\u00e9\U0001F600", _x1="`"})",
       {{"_x1", "`"}, {"a", "q\"uote\\ \n\tAA\xc3\xa9\xf0\x9f\x98\x80"}}},
      {"{a=`raw \\n`}", {{"a", "raw \\n"}}},
      {R"({a="", b="x"})", {{"b", "x"}}},  // empty value = no label
      {"{}", {}},
  };
  for (const auto& c : cases) {
    auto got = ParseLabelString(c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

TEST(LokiLabelsTest, RejectsBadSyntaxWithAReason) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"", "expected '{' at position 0"},
      {"app=\"x\"", "expected '{'"},
      {"{app=\"x\"", "expected ',' or '}'"},
      {"{app=x}", "expected a quoted label value"},
      {"{1app=\"x\"}", "invalid label name '1app'"},
      {"{a-b=\"x\"}", "expected '='"},
      {"{app!=\"x\"}", "only '=' is allowed"},
      {"{app=~\"x\"}", "only '=' is allowed"},
      {"{a=\"1\", a=\"2\"}", "duplicate label name 'a'"},
      {"{a=\"\\q\"}", "unknown escape"},
      {"{a=\"x\"} junk", "unexpected text after '}'"},
      {"{a=\"unterminated}", "unterminated string"},
      {"{a=\"\xff\"}", "invalid UTF-8"},
  };
  for (const auto& c : cases) {
    auto got = ParseLabelString(c.text);
    ASSERT_FALSE(got.ok()) << c.text;
    EXPECT_NE(got.status().message().find(c.error), std::string::npos) << c.text << ": " << got.status().message();
  }
}

TEST(LokiLabelsTest, FormatsLikeLoki) {
  EXPECT_EQ(FormatLabels({{"a", "x\"y"}, {"b", "1"}}), R"({a="x\"y", b="1"})");
}

// ---- JSON ----

TEST(LokiJsonTest, DecodesStreamsValuesAndStructuredMetadata) {
  const std::string body = R"({"streams":[
    {"stream":{"job":"varlogs","env":"prod","empty":""},
     "values":[["1700000000000000001","line one"],
               ["1600000000000000000","older line, out of order",{"trace_id":"abc","user":"u1"}],
               null]},
    {"stream":{"service_name":"given","app":"ignored"},"values":[["5","x"]]}
  ]})";
  auto r = DecodeJson(body, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_TRUE(r->rejected.empty());
  const auto& a = r->records[0];
  EXPECT_EQ(a.timestamp_ns, 1700000000000000001);
  EXPECT_EQ(a.message, "line one");
  EXPECT_EQ(a.labels, (LabelSet{{"env", "prod"}, {"job", "varlogs"}, {"service_name", "varlogs"}}));
  EXPECT_TRUE(a.fields.empty());
  const auto& b = r->records[1];
  EXPECT_EQ(b.timestamp_ns, 1600000000000000000);
  EXPECT_EQ(b.fields, (std::vector<Field>{{"trace_id", "abc"}, {"user", "u1"}}));
  EXPECT_EQ(r->records[2].labels, (LabelSet{{"app", "ignored"}, {"service_name", "given"}}));
}

TEST(LokiJsonTest, ServiceNameDiscoveryFollowsLokisOrder) {
  struct Case {
    std::string stream;
    std::string want;
  };
  const std::vector<Case> cases = {
      {R"({"service":"s","app":"a"})", "s"},
      {R"({"app":"a","job":"j"})", "a"},
      {R"({"k8s_job_name":"kj","component":"c"})", "c"},
      {R"({"container":"ct"})", "ct"},
      {R"({"foo":"bar"})", "unknown_service"},
  };
  for (const auto& c : cases) {
    auto r = DecodeJson(R"({"streams":[{"stream":)" + c.stream + R"(,"values":[["1","l"]]}]})", Options());
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->records.size(), 1u) << c.stream;
    std::string got;
    for (const auto& l : r->records[0].labels) {
      if (l.name == "service_name") got = l.value;
    }
    EXPECT_EQ(got, c.want) << c.stream;
  }
}

TEST(LokiJsonTest, LegacyShapeIsAccepted) {
  auto r = DecodeJson(
      R"({"streams":[{"labels":"{foo=\"bar\"}","entries":[{"ts":"2019-09-13T18:32:22.380001319Z","line":"legacy"}]}]})",
      Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].timestamp_ns, 1568399542380001319);
  EXPECT_EQ(r->records[0].labels, (LabelSet{{"foo", "bar"}, {"service_name", "unknown_service"}}));
}

TEST(LokiJsonTest, BodyLevelErrors) {
  struct Case {
    std::string body;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"", "empty body"},
      {"  \n", "empty body"},
      {"{\"streams\":[", "malformed JSON: "},
      {"[1,2]", "expected a JSON object with \"streams\""},
      {"{\"streams\":{}}", "streams: expected a JSON array"},
      {"{\"streams\":\"x\"}", "streams: expected a JSON array"},
      {"{\"streams\":[{\"stream\":{\"a\":\"\xff\"}}]}", "malformed JSON: "},
  };
  for (const auto& c : cases) {
    auto r = DecodeJson(c.body, Options());
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.error), std::string::npos) << c.body << ": " << r.status().message();
  }
  // No streams at all is a valid, empty push.
  for (const char* body : {"{}", "{\"streams\":[]}", "{\"streams\":null}"}) {
    auto r = DecodeJson(body, Options());
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_TRUE(r->records.empty() && r->rejected.empty());
  }
}

TEST(LokiJsonTest, EveryPerEntryAndPerStreamErrorKeepsTheRest) {
  struct Case {
    std::string name;
    std::string stream;  // one stream object, followed by a good stream in the body
    std::string reason;
    std::string message;  // exact text
    size_t entries;
  };
  const std::string ok_values = R"("values":[["1000","good"]])";
  const std::vector<Case> cases = {
      {"numeric timestamp", R"({"stream":{"a":"b"},"values":[[1000,"x"]]})", "malformed",
       "entry 0 for stream '{a=\"b\", service_name=\"unknown_service\"}' is malformed: timestamp: expected a string "
       "of nanoseconds since the epoch, not a number",
       1},
      {"non-integer timestamp", R"({"stream":{"a":"b"},"values":[["1.5","x"]]})", "malformed",
       "entry 0 for stream '{a=\"b\", service_name=\"unknown_service\"}' is malformed: timestamp: '1.5' is not "
       "nanoseconds since the epoch",
       1},
      {"line not a string", R"({"stream":{"a":"b"},"values":[["1",5]]})", "malformed",
       "entry 0 for stream '{a=\"b\", service_name=\"unknown_service\"}' is malformed: line: expected a string", 1},
      {"short tuple", R"({"stream":{"a":"b"},"values":[["1"]]})", "malformed",
       "entry 0 for stream '{a=\"b\", service_name=\"unknown_service\"}' is malformed: expected [\"<unix epoch in "
       "nanoseconds>\", \"<log line>\"] with an optional structured metadata object",
       1},
      {"metadata value not a string", R"({"stream":{"a":"b"},"values":[["1","x",{"n":1}]]})", "malformed",
       "entry 0 for stream '{a=\"b\", service_name=\"unknown_service\"}' is malformed: structured metadata 'n': "
       "expected a string value",
       1},
      {"label value not a string", R"({"stream":{"a":1},"values":[["1","x"],["2","y"]]})", "invalid_labels",
       "error parsing labels '{}' with error: label 'a': expected a string value", 2},
      {"invalid label name", R"({"stream":{"a.b":"c"},"values":[["1","x"]]})", "invalid_labels",
       "error parsing labels '{a.b=\"c\"}' with error: invalid label name 'a.b'", 1},
      {"no labels", R"({"stream":{},"values":[["1","x"]]})", "missing_labels",
       "error at least one label pair is required per stream", 1},
      {"only empty labels", R"({"stream":{"a":""},"values":[["1","x"]]})", "missing_labels",
       "error at least one label pair is required per stream", 1},
      {"too many labels",
       R"({"stream":{"a":"1","b":"2","c":"3","d":"4"},"values":[["1","x"]]})", "max_label_names_per_series",
       "entry for stream '{a=\"1\", b=\"2\", c=\"3\", d=\"4\"}' has 4 label names; limit 3", 1},
      {"stream not an object", R"("oops")", "malformed", "stream 0 is malformed: expected a JSON object", 1},
      {"values not an array", R"({"stream":{"a":"b"},"values":{}})", "malformed",
       "stream 0 is malformed: values: expected a JSON array", 1},
      {"too old", R"({"stream":{"a":"b"},"values":[["99","x"]]})", "greater_than_max_sample_age",
       "entry for stream '{a=\"b\", service_name=\"unknown_service\"}' has timestamp too old: "
       "1970-01-01T00:00:00.000000099Z, oldest acceptable timestamp is: 1970-01-01T00:00:00.000000100Z",
       1},
      {"too new", R"({"stream":{"a":"b"},"values":[["2000000000","x"]]})", "too_far_in_future",
       "entry for stream '{a=\"b\", service_name=\"unknown_service\"}' has timestamp too new: "
       "1970-01-01T00:00:02.000000000Z",
       1},
      {"line too long", R"({"stream":{"a":"b"},"values":[["1000",")" + std::string(1001, 'x') + R"("]]})",
       "line_too_long",
       "max entry size '1000' bytes exceeded for stream '{a=\"b\", service_name=\"unknown_service\"}' while "
       "adding an entry with length '1001' bytes",
       1},
      {"entry too big with labels", R"({"stream":{"a":"b"},"values":[["1000",")" + std::string(990, 'x') + R"("]]})",
       "line_too_long",
       "max entry size '1000' bytes exceeded for stream '{a=\"b\", service_name=\"unknown_service\"}' while "
       "adding an entry with length '1019' bytes",
       1},
      {"too much metadata", R"({"stream":{"a":"b"},"values":[["1000","x",{"a":"1","b":"2","c":"3","d":"4"}]]})",
       "structured_metadata_too_many",
       "stream '{a=\"b\", service_name=\"unknown_service\"}' has too many structured metadata labels: '4', limit: "
       "'3'",
       1},
  };
  for (const auto& c : cases) {
    PushOptions o = Options();
    o.max_label_names = 3;
    o.oldest_ns = 100;
    o.newest_ns = 1000000000;
    const std::string body = R"({"streams":[)" + c.stream + R"(,{"stream":{"app":"ok"},)" + ok_values + "}]}";
    auto r = DecodeJson(body, o);
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status().ToString();
    ASSERT_EQ(r->records.size(), 1u) << c.name;  // the good stream survives
    EXPECT_EQ(r->records[0].message, "good");
    ASSERT_EQ(r->rejected.size(), 1u) << c.name;
    EXPECT_EQ(r->rejected[0].reason, c.reason) << c.name;
    EXPECT_EQ(r->rejected[0].message, c.message) << c.name;
    EXPECT_EQ(r->rejected[0].entries, c.entries) << c.name;
    EXPECT_EQ(r->RejectedEntries(), c.entries);
  }
}

TEST(LokiJsonTest, PartialAcceptanceWithinOneStream) {
  PushOptions o = Options();
  o.oldest_ns = 100;
  auto r = DecodeJson(R"({"streams":[{"stream":{"app":"a"},"values":[["200","a"],["50","b"],["300","c"]]}]})", o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->records[0].message, "a");
  EXPECT_EQ(r->records[1].message, "c");
  EXPECT_EQ(Messages(*r).size(), 1u);
}

TEST(LokiJsonTest, RepeatedMetadataKeepsLastValueAtFirstPosition) {
  auto r = DecodeJson(R"({"streams":[{"stream":{"app":"a"},"values":[["1","l",{"x":"1","y":"2","x":"3"}]]}]})",
                          Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].fields, (std::vector<Field>{{"x", "3"}, {"y", "2"}}));
}

// ---- protobuf ----

TEST(LokiJsonTest, LongMetadataListsDeduplicateLikeShortOnes) {
  PushOptions o = Options();
  o.max_fields = 128;
  std::string meta = "{";
  for (int i = 0; i < 40; ++i) meta += (i ? "," : "") + std::string("\"k") + std::to_string(i % 25) + "\":\"v" + std::to_string(i) + "\"";
  meta += "}";
  auto r = DecodeJson(R"({"streams":[{"stream":{"app":"a"},"values":[["1","l",)" + meta + "]]}]}", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 1u);
  const auto& fields = r->records[0].fields;
  ASSERT_EQ(fields.size(), 25u);
  for (int i = 0; i < 25; ++i) {
    EXPECT_EQ(fields[i].name, "k" + std::to_string(i));
    EXPECT_EQ(fields[i].value, "v" + std::to_string(i < 15 ? i + 25 : i));  // the last of k0..k14 came at 25..39
  }
}

TEST(LokiJsonTest, NanosecondTimestampsCoverTheInt64RangeExactly) {
  struct Case {
    std::string text;
    bool ok;
    int64_t ns;
  };
  const std::vector<Case> cases = {
      {"0", true, 0},
      {"-1", true, -1},
      {"1795737600036229363", true, 1795737600036229363},
      {"9223372036854775807", true, std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808", true, std::numeric_limits<int64_t>::min()},
      {"9223372036854775808", false, 0},
      {"-9223372036854775809", false, 0},
      {"18446744073709551616", false, 0},
      {"99999999999999999999", false, 0},
      {"-", false, 0},
      {"", false, 0},
      {"12a", false, 0},
      {"+1", false, 0},
  };
  for (const auto& c : cases) {
    auto r = DecodeJson(R"({"streams":[{"stream":{"app":"a"},"values":[[")" + c.text + R"(","l"]]}]})", PushOptions());
    ASSERT_TRUE(r.ok()) << c.text;
    if (c.ok) {
      ASSERT_EQ(r->records.size(), 1u) << c.text;
      EXPECT_EQ(r->records[0].timestamp_ns, c.ns) << c.text;
    } else {
      EXPECT_TRUE(r->records.empty()) << c.text;
      ASSERT_EQ(r->rejected.size(), 1u) << c.text;
      EXPECT_EQ(r->rejected[0].reason, "malformed") << c.text;
    }
  }
}

// ---- the On-Demand path and the DOM path agree ----
//
// The decoder reads the usual body with simdjson On-Demand and hands anything else to its DOM path. A body whose
// top object starts with an unknown key goes to the DOM path at once (the DOM path ignores the key), so the same
// streams decoded with and without that key compare the two paths: on random bodies, with shapes each path handles
// and random damage, the results (error, records, rejections, batch bytes) must be the same.

std::string RandomJsonText(std::mt19937_64& rng, size_t max_len) {
  static const char* const kPieces[] = {"a", "b", "z", "0", " ", "\\\"", "\\\\", "\\n", "\\u0041", "\\u00e9",
                                        "\xc3\xa9", "\\/", "{", "}", "[", "]", ",", ":", "\\t"};
  std::string out;
  const size_t n = rng() % (max_len + 1);
  for (size_t i = 0; i < n; ++i) out += kPieces[rng() % std::size(kPieces)];
  return out;
}

std::string RandomStreamsInterior(std::mt19937_64& rng) {
  auto space = [&]() { return rng() % 4 == 0 ? std::string(" \n") : std::string(); };
  std::string out;
  const int streams = 1 + static_cast<int>(rng() % 4);
  for (int s = 0; s < streams; ++s) {
    if (s) out += "," + space();
    const int shape = static_cast<int>(rng() % 20);
    if (shape == 0) {  // legacy
      out += R"({"labels":"{app=\"x\"}","entries":[{"ts":"2026-01-01T00:00:00Z","line":"l"}]})";
      continue;
    }
    if (shape == 1) {
      out += "null";
      continue;
    }
    std::string labels = "{";
    const int nl = static_cast<int>(rng() % 4);
    static const char* const kNames[] = {"app", "env", "app", "bad-name", "service", "pod"};
    for (int l = 0; l < nl; ++l) {
      if (l) labels += ",";
      labels += std::string("\"") + kNames[rng() % (rng() % 8 == 0 ? 6 : 3)] + "\":" + space();
      labels += rng() % 12 == 0 ? std::string("1") : "\"" + RandomJsonText(rng, 4) + "\"";
    }
    labels += "}";
    std::string values = "[";
    const int entries = static_cast<int>(rng() % 6);
    for (int e = 0; e < entries; ++e) {
      if (e) values += "," + space();
      const int kind = static_cast<int>(rng() % 16);
      if (kind == 0) {
        values += "null";
        continue;
      }
      const int64_t ts = kind == 1 ? -5 : 1700000000000000000 + static_cast<int64_t>(rng() % 1000000);
      values += "[" + (kind == 2 ? std::to_string(ts) : "\"" + std::to_string(ts) + "\"") + "," + space();
      values += kind == 3 ? std::string("7") : "\"" + RandomJsonText(rng, kind == 4 ? 400 : 12) + "\"";
      if (kind == 5) values += ",null";
      if (kind >= 6 && kind <= 8) {
        values += ",{";
        const int nm = static_cast<int>(rng() % 5);
        for (int m = 0; m < nm; ++m) {
          if (m) values += ",";
          values += std::string("\"") + (rng() % 2 ? "trace_id" : "n\\u0041me") + "\":";
          values += rng() % 10 == 0 ? std::string("true") : "\"" + RandomJsonText(rng, 6) + "\"";
        }
        values += "}";
      }
      if (kind == 9) values += ",{},\"extra\"";
      values += "]";
    }
    values += "]";
    const int order = static_cast<int>(rng() % 10);
    if (order == 0) {
      out += "{\"values\":" + values + ",\"stream\":" + labels + "}";
    } else if (order == 1) {
      out += "{\"stream\":" + labels + ",\"values\":" + values + ",\"other\":1}";
    } else if (order == 2) {
      out += "{\"stream\":" + labels + "}";
    } else if (order == 3) {
      out += "{\"stream\":" + labels + ",\"stream\":{\"app\":\"twice\"},\"values\":" + values + "}";
    } else {
      out += "{" + space() + "\"stream\":" + space() + labels + "," + space() + "\"values\":" + values + "}";
    }
  }
  return out;
}

void Damage(std::mt19937_64& rng, std::string& s) {
  if (s.empty()) return;
  static const char kBytes[] = "{}[]\",:\\ an0-1\xff";
  const size_t at = rng() % s.size();
  switch (rng() % 4) {
    case 0: s[at] = kBytes[rng() % (sizeof kBytes - 1)]; break;
    case 1: s.erase(at, 1); break;
    case 2: s.insert(at, 1, kBytes[rng() % (sizeof kBytes - 1)]); break;
    default: s.erase(at, 1 + rng() % 20); break;
  }
}

TEST(LokiJsonTest, OnDemandAndDomPathsAgreeOnRandomBodies) {
  std::mt19937_64 rng(42);
  PushOptions options = Options();
  options.oldest_ns = 0;
  options.newest_ns = 1700000000000900000;  // some entries are too new
  size_t accepted = 0, failed = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string interior = RandomStreamsInterior(rng);
    if (round % 3 == 0) {
      const int damages = 1 + static_cast<int>(rng() % 3);
      for (int d = 0; d < damages; ++d) Damage(rng, interior);
    }
    const std::string body = "{\"streams\":[" + interior + "]}";
    const std::string dom_body = "{\"zz\":0,\"streams\":[" + interior + "]}";
    auto got = DecodeJson(body, options);
    auto want = DecodeJson(dom_body, options);
    ASSERT_EQ(got.ok(), want.ok()) << body;
    if (!got.ok()) {
      ++failed;
      EXPECT_EQ(got.status().ToString(), want.status().ToString()) << body;
      continue;
    }
    accepted += got->records.size();
    ASSERT_EQ(got->records, want->records) << body;
    ASSERT_EQ(got->rejected, want->rejected) << body;
  }
  EXPECT_GT(accepted, 1000u);  // the generator reaches both outcomes
  EXPECT_GT(failed, 100u);
}

TEST(LokiJsonTest, OnDemandRefusesWhatTheDomPathCallsMalformed) {
  const std::string good = R"({"streams":[{"stream":{"app":"a"},"values":[["1","x"]]}]})";
  ASSERT_TRUE(DecodeJson(good, Options()).ok());
  for (const std::string& body :
       {good + "x", good + "}", good + "]", good + " {}",
        std::string(R"({"streams":[{"stream":{"app":"a"},"values":[["1","x"]]}])"),
        std::string(R"({"streams":[{"stream":{"app":"a"},"values":[["1","x"]]}]]})"),
        std::string(R"({"streams":[{"stream":{"app":"a"},"values":[["1","x"],]}]})"),
        std::string(R"({"streams":[{"stream":{"app":"a"},"values":[["1" "x"]]}]})"),
        std::string(R"({"streams":[{"stream":{"app":"a"},"values":[["1","x",nul]]}]})"),
        std::string(R"({"streams":[{"stream":{"app":"a"},"values":[["1","x\q"]]}]})"),
        std::string(R"({"streams":[{"stream":{"app":"a"} "values":[["1","x"]]}]})"),
        std::string(R"({"streams":[{"stream":{"app":"a"},"values":[["1","x"]]}]}{"streams":[]})")}) {
    auto r = DecodeJson(body, Options());
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().message().rfind("malformed JSON: ", 0), 0u) << body << ": " << r.status().message();
  }
}

TEST(LokiJsonTest, PaddedBodyDecodesInPlaceLikeACopy) {
  std::string body = R"({"streams":[{"stream":{"app":"a"},"values":[["1","x"],["2","y",{"k":"v"}]]}]})";
  const std::string copy = body;
  body.reserve(body.size() + kJsonBodyPadding);
  const size_t size = body.size();
  body.resize(size + kJsonBodyPadding);
  body.resize(size);
  auto padded = DecodePushJsonPadded(body, Options());
  auto copied = DecodePushJson(copy, Options());
  ASSERT_TRUE(padded.ok() && copied.ok());
  EXPECT_EQ(padded->records, copied->records);
  EXPECT_EQ(padded->records.size(), 2u);
  EXPECT_EQ(body, copy);  // the body is read, not changed
}

TEST(LokiProtoTest, RoundTripsStreamsEntriesAndMetadata) {
  const std::string body = EncodeRequest({
      EncodeStream(R"({job="promtail", env="dev"})",
                   {{1700000000, 123456789, "first", {{"trace_id", "t1"}}}, {1600000000, 0, "earlier", {}}}),
      EncodeStream(R"({app="web"})", {{-1, 999999999, "before the epoch", {}}}),
  });
  auto r = DecodeProto(body, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_TRUE(r->rejected.empty());
  EXPECT_EQ(r->records[0].timestamp_ns, 1700000000123456789);
  EXPECT_EQ(r->records[0].message, "first");
  EXPECT_EQ(r->records[0].labels, (LabelSet{{"env", "dev"}, {"job", "promtail"}, {"service_name", "promtail"}}));
  EXPECT_EQ(r->records[0].fields, (std::vector<Field>{{"trace_id", "t1"}}));
  EXPECT_EQ(r->records[1].timestamp_ns, 1600000000000000000);
  EXPECT_EQ(r->records[2].timestamp_ns, -1);
  EXPECT_EQ(r->records[2].labels, (LabelSet{{"app", "web"}, {"service_name", "web"}}));
}

TEST(LokiProtoTest, SkipsUnknownFieldsAndAcceptsAnyFieldOrder) {
  WireWriter entry;
  entry.Bytes(2, "line");
  entry.Fixed64(9, 7);
  entry.Bytes(4, "ignored parsed labels");
  WireWriter ts;
  ts.Varint(2, 5);
  ts.Varint(1, 10);
  ts.Fixed32(3, 1);
  entry.Bytes(1, ts.data());
  WireWriter stream;
  stream.Bytes(2, entry.data());  // entries before labels
  stream.Key(15, WireType::kStartGroup);
  stream.Varint(1, 1);
  stream.Key(15, WireType::kEndGroup);
  stream.Bytes(1, "{a=\"b\"}");
  WireWriter req;
  req.Bytes(2, "loki");  // format
  req.Bytes(1, stream.data());
  req.Varint(99, 1);
  auto r = DecodeProto(req.data(), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].timestamp_ns, 10000000005);
  EXPECT_EQ(r->records[0].message, "line");
}

TEST(LokiProtoTest, EmptyMessageIsAnEmptyPush) {
  auto r = DecodeProto("", Options());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty() && r->rejected.empty());
}

TEST(LokiProtoTest, PerStreamAndPerEntryErrorsKeepTheRest) {
  struct Case {
    std::string name;
    std::string stream;  // encoded bad stream, followed by a good one
    std::string reason;
    std::string message_prefix;
  };
  WireWriter bad_ts;
  bad_ts.Varint(2, static_cast<uint64_t>(-5));  // negative nanos
  WireWriter bad_ts_entry;
  bad_ts_entry.Bytes(1, bad_ts.data());
  bad_ts_entry.Bytes(2, "x");
  WireWriter bad_ts_stream;
  bad_ts_stream.Bytes(1, "{a=\"b\"}");
  bad_ts_stream.Bytes(2, bad_ts_entry.data());

  WireWriter wrong_type;  // labels as a varint
  wrong_type.Varint(1, 5);

  WireWriter truncated_entry_stream;
  truncated_entry_stream.Bytes(1, "{a=\"b\"}");
  truncated_entry_stream.Bytes(2, "\x12\x05" "ab");  // line claims 5 bytes, has 2

  const std::vector<Case> cases = {
      {"bad labels", EncodeStream("{a=b}", {{1, 0, "x", {}}}), "invalid_labels",
       "error parsing labels '{a=b}' with error: expected a quoted label value"},
      {"no labels", EncodeStream("", {{1, 0, "x", {}}}), "invalid_labels", "error parsing labels '' with error"},
      {"invalid UTF-8 line", EncodeStream("{a=\"b\"}", {{1, 0, "\xff", {}}}), "malformed",
       "entry 0 for stream '{a=\"b\", service_name=\"unknown_service\"}' is malformed: line: invalid UTF-8"},
      {"negative nanos", bad_ts_stream.Take(), "malformed",
       "entry 0 for stream '{a=\"b\", service_name=\"unknown_service\"}' is malformed: timestamp: nanos out of range"},
      {"wrong wire type", wrong_type.Take(), "malformed",
       "stream 0 is malformed: malformed protobuf: StreamAdapter.labels: expected length-delimited, got varint"},
      {"truncated entry", truncated_entry_stream.Take(), "malformed",
       "entry 0 for stream '{a=\"b\", service_name=\"unknown_service\"}' is malformed: malformed protobuf: length 5 "
       "past the end"},
      {"metadata without a name", EncodeStream("{a=\"b\"}", {{1, 0, "x", {{"", "v"}}}}), "malformed",
       "entry 0 for stream '{a=\"b\", service_name=\"unknown_service\"}' is malformed: structured metadata: empty "
       "name"},
  };
  for (const auto& c : cases) {
    auto r = DecodeProto(EncodeRequest({c.stream, EncodeStream("{app=\"ok\"}", {{2, 0, "good", {}}})}), Options());
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status().ToString();
    ASSERT_EQ(r->records.size(), 1u) << c.name;
    EXPECT_EQ(r->records[0].message, "good");
    ASSERT_EQ(r->rejected.size(), 1u) << c.name;
    EXPECT_EQ(r->rejected[0].reason, c.reason) << c.name;
    EXPECT_EQ(r->rejected[0].message.rfind(c.message_prefix, 0), 0u) << c.name << ": " << r->rejected[0].message;
  }
}

TEST(LokiProtoTest, DamageAfterGoodStreamsKeepsThemAndNothingDecodableIsAnError) {
  std::string good = EncodeRequest({EncodeStream("{app=\"a\"}", {{1, 0, "kept", {}}})});
  auto r = DecodeProto(good + "\x0a\x7f" "truncated", Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_NE(r->rejected[0].message.find("(the rest of the request was dropped)"), std::string::npos);

  for (std::string bad : {std::string("\x0a\x7f" "short"), std::string("\xff"), std::string("\x00", 1),
                          std::string("not a protobuf")}) {
    auto e = DecodeProto(bad, Options());
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.status().message().rfind("malformed protobuf: ", 0), 0u) << e.status().message();
  }
}

TEST(LokiProtoTest, JsonAndProtobufAgree) {
  auto j = DecodeJson(
      R"({"streams":[{"stream":{"app":"x","env":"e"},"values":[["1700000000000000042","hello",{"k":"v"}]]}]})",
      Options());
  auto p = DecodeProto(
      EncodeRequest({EncodeStream(R"({env="e",app="x"})", {{1700000000, 42, "hello", {{"k", "v"}}}})}), Options());
  ASSERT_TRUE(j.ok() && p.ok());
  EXPECT_EQ(j->records, p->records);
}

}  // namespace
}  // namespace strata::ingest::loki
