#include <gtest/gtest.h>

#include "strata/query/pipeline/test_util.h"

namespace strata::query {
namespace {

struct LabelCase {
  const char* pipeline;
  const char* line;
  bool kept;
  const char* error = "";  // expected __error__ ("" = none)
};

const LabelCase kLabelFilterCases[] = {
    // String matchers: absent = "", regexes fully anchored.
    {R"(| logfmt | level="error")", "level=error", true},
    {R"(| logfmt | level="error")", "level=info", false},
    {R"(| logfmt | level!="error")", "level=info", true},
    {R"(| logfmt | level!="error")", "msg=x", true},
    {R"(| logfmt | level="")", "msg=x", true},
    {R"(| logfmt | level=~"err.*")", "level=error", true},
    {R"(| logfmt | level=~"err")", "level=error", false},  // anchored
    {R"(| logfmt | level!~"err.*")", "level=error", false},
    {R"(| logfmt | level=~"(?i)ERR.*")", "level=error", true},
    {R"(| app="a")", "x", true},
    {R"(| app=~"b|a")", "x", true},
    // Numbers (float64).
    {R"(| logfmt | status>=200)", "status=200", true},
    {R"(| logfmt | status>200)", "status=200", false},
    {R"(| logfmt | status==200)", "status=200.0", true},
    {R"(| logfmt | status!=200)", "status=201", true},
    {R"(| logfmt | status<1.5)", "status=1.25", true},
    {R"(| logfmt | status>-5)", "status=-4", true},
    {R"(| logfmt | status<=10)", "status=1e1", true},
    {R"(| logfmt | status>200)", "msg=x", false},                          // absent: dropped
    {R"(| logfmt | status>200)", "status=abc", true, "LabelFilterErr"},    // conversion error: kept
    {R"(| logfmt --keep-empty | status>200)", "status=", true, "LabelFilterErr"},
    // Durations.
    {R"(| logfmt | duration > 10s)", "duration=11.5s", true},
    {R"(| logfmt | duration > 10s)", "duration=9s", false},
    {R"(| logfmt | duration >= 1h30m)", "duration=90m", true},
    {R"(| logfmt | latency < 100us)", "latency=99\xC2\xB5s", true},
    {R"(| logfmt | latency == 5m)", "latency=300s", true},
    {R"(| logfmt | latency > 1s)", "latency=2", true, "LabelFilterErr"},  // no unit
    {R"(| logfmt | latency > 1s)", "x=1", false},
    // Bytes.
    {R"(| logfmt | size > 10KB)", "size=10.5kB", true},
    {R"(| logfmt | size > 10KB)", "size=10KB", false},
    {R"(| logfmt | size <= 5MiB)", "size=5242880", true},
    {R"(| logfmt | size == 1KiB)", "size=1024B", true},
    {R"(| logfmt | size >= 20B)", "size=huge", true, "LabelFilterErr"},
    // and / or (juxtaposition and comma are and; and binds tighter).
    {R"(| logfmt | a="1" and b="2")", "a=1 b=2", true},
    {R"(| logfmt | a="1", b="2")", "a=1 b=3", false},
    {R"(| logfmt | a="1" b="2")", "a=1 b=2", true},
    {R"(| logfmt | a="1" or b="2")", "a=0 b=2", true},
    {R"(| logfmt | a="1" or b="2" and c="3")", "a=1 b=0 c=0", true},
    {R"(| logfmt | (a="1" or b="2") and c="3")", "a=1 b=0 c=0", false},
    {R"(| logfmt | duration >= 20ms or size == 20KB and method!~"2..")", "duration=1ms size=20KB method=GET", true},
    {R"(| logfmt | duration >= 20ms or size == 20KB and method!~"2..")", "duration=1ms size=20KB method=200", false},
    {R"(| logfmt | (duration > 1s or status==200) and method="POST")", "duration=2s method=POST", true},
    // Errors: only string matchers filter them.
    {R"(| logfmt | status>1 | __error__="")", "status=x", false, "LabelFilterErr"},
    {R"(| logfmt | status>1 | __error__!="")", "status=x", true, "LabelFilterErr"},
    {R"(| json | __error__="")", "not json", false, "JSONParserErr"},
    {R"(| json | __error__="JSONParserErr")", "not json", true, "JSONParserErr"},
    {R"(| json | status > 1)", "not json", false, "JSONParserErr"},  // absent label still drops the line
    // The first conversion error is kept: `and` evaluates both sides.
    {R"(| logfmt | a > 1 and b > 1s)", "a=x b=y", true, "LabelFilterErr"},
    // ip() label filters.
    {R"(| logfmt | addr = ip("192.168.4.5/16"))", "addr=192.168.9.9", true},
    {R"(| logfmt | addr = ip("192.168.4.5/16"))", "addr=192.169.9.9", false},
    {R"(| logfmt | addr != ip("192.168.4.2"))", "addr=192.168.4.3", true},
    {R"(| logfmt | addr != ip("192.168.4.2"))", "addr=192.168.4.2", false},
    {R"(| logfmt | addr = ip("192.168.4.5/16") | addr != ip("192.168.4.2"))", "addr=192.168.4.2", false},
    {R"(| logfmt | addr = ip("192.168.4.0/24") or addr = ip("10.10.15.0/24"))", "addr=10.10.15.7", true},
    {R"(| logfmt | remote_addr = ip("2001:db8::1-2001:db8::8"))", "remote_addr=2001:db8::5", true},
    {R"(| logfmt | remote_addr = ip("2001:db8::1-2001:db8::8"))", "remote_addr=2001:db8::9", false},
    {R"(| logfmt | addr = ip("1.2.3.4"))", "addr=not-an-ip", false},
    {R"(| logfmt | addr != ip("1.2.3.4"))", "other=1", false},
    {R"(| logfmt | x > 1 | addr = ip("1.2.3.4"))", "x=bad addr=9.9.9.9", true, "LabelFilterErr"},  // errored: kept
};

TEST(LabelFilter, Table) {
  for (const auto& c : kLabelFilterCases) {
    auto p = testing::CompileOrDie(c.pipeline);
    LabelsBuilder b;
    b.Reset({{"app", "a"}});
    std::string line = c.line;
    EXPECT_EQ(p.Process(0, line, b), c.kept) << c.pipeline << " on [" << c.line << "]";
    EXPECT_EQ(b.Get("__error__").value_or(""), c.error) << c.pipeline << " on [" << c.line << "]";
  }
}

TEST(LabelFilter, MetadataAndStreamLabelsAreFilterable) {
  auto o = testing::Run(R"(| region="eu" | app="a")", "x", {{"app", "a"}}, {{"region", "eu"}});
  EXPECT_TRUE(o.kept);
  o = testing::Run(R"(| region="us")", "x", {{"app", "a"}}, {{"region", "eu"}});
  EXPECT_FALSE(o.kept);
}

}  // namespace
}  // namespace strata::query
