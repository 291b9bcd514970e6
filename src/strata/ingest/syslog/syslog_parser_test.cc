#include "strata/ingest/syslog/syslog_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "strata/model/time_format.h"

namespace strata::ingest::syslog {
namespace {

using model::Field;
using model::LabelSet;

int64_t Ts(const char* iso) { return model::ParseIso8601(iso).value(); }

const int64_t kNow = Ts("2024-06-15T12:00:00Z");

ParseOptions Options() {
  ParseOptions o;
  o.receive_time_ns = kNow;
  return o;
}

struct Case {
  const char* name;
  std::string input;
  Format format;
  int64_t timestamp;
  LabelSet labels;
  std::string message;
  std::vector<Field> fields;
};

class SyslogParserTable : public ::testing::TestWithParam<Case> {};

TEST_P(SyslogParserTable, ParsesAsExpected) {
  const Case& c = GetParam();
  auto parsed = ParseSyslogMessage(c.input, Options());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->format, c.format);
  EXPECT_EQ(model::FormatRfc3339Nanos(parsed->record.timestamp_ns), model::FormatRfc3339Nanos(c.timestamp));
  EXPECT_EQ(parsed->record.labels, c.labels);
  EXPECT_EQ(parsed->record.message, c.message);
  EXPECT_EQ(parsed->record.fields, c.fields);
}

const std::string kBom = "\xEF\xBB\xBF";

INSTANTIATE_TEST_SUITE_P(
    Rfc, SyslogParserTable,
    ::testing::Values(
        // RFC 5424 §6.5, example 1 (BOM before MSG).
        Case{"rfc5424_example1",
             "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " + kBom +
                 "'su root' failed for lonvick on /dev/pts/8",
             Format::kRfc5424,
             Ts("2003-10-11T22:14:15.003Z"),
             {{"facility", "auth"}, {"host", "mymachine.example.com"}, {"level", "FATAL"}, {"service", "su"}},
             "'su root' failed for lonvick on /dev/pts/8",
             {{"msgid", "ID47"}}},
        // Example 2: microseconds and an offset, PROCID, no MSGID.
        Case{"rfc5424_example2",
             "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
             Format::kRfc5424,
             Ts("2003-08-24T12:14:15.000003Z"),
             {{"facility", "local4"}, {"host", "192.0.2.1"}, {"level", "INFO"}, {"service", "myproc"}},
             "%% It's time to make the do-nuts.",
             {{"procid", "8710"}}},
        // Example 3: structured data and a BOM.
        Case{"rfc5424_example3",
             "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
             "eventSource=\"Application\" eventID=\"1011\"] " +
                 kBom + "An application event log entry...",
             Format::kRfc5424,
             Ts("2003-10-11T22:14:15.003Z"),
             {{"facility", "local4"}, {"host", "mymachine.example.com"}, {"level", "INFO"}, {"service", "evntslog"}},
             "An application event log entry...",
             {{"msgid", "ID47"},
              {"sd.exampleSDID@32473.iut", "3"},
              {"sd.exampleSDID@32473.eventSource", "Application"},
              {"sd.exampleSDID@32473.eventID", "1011"}}},
        // Example 4: two SD elements and no MSG.
        Case{"rfc5424_example4_no_msg",
             "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
             "eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
             Format::kRfc5424,
             Ts("2003-10-11T22:14:15.003Z"),
             {{"facility", "local4"}, {"host", "mymachine.example.com"}, {"level", "INFO"}, {"service", "evntslog"}},
             "",
             {{"msgid", "ID47"},
              {"sd.exampleSDID@32473.iut", "3"},
              {"sd.exampleSDID@32473.eventSource", "Application"},
              {"sd.exampleSDID@32473.eventID", "1011"},
              {"sd.examplePriority@32473.class", "high"}}},
        Case{"rfc5424_all_nil_and_escapes",
             "<15>1 - - - - - [a x=\"q\\\"b\\\\c\\]d\\e\"][b] hi there",
             Format::kRfc5424,
             kNow,
             {{"facility", "user"}, {"level", "DEBUG"}},
             "hi there",
             {{"sd.a.x", "q\"b\\c]d\\e"}, {"sd.b", ""}}},
        Case{"rfc5424_trailing_newline", "<11>1 2024-06-15T11:00:00Z h a p m - msg\r\n", Format::kRfc5424,
             Ts("2024-06-15T11:00:00Z"),
             {{"facility", "user"}, {"host", "h"}, {"level", "ERROR"}, {"service", "a"}},
             "msg",
             {{"procid", "p"}, {"msgid", "m"}}},
        // RFC 3164 §5.4 examples.
        Case{"rfc3164_example1", "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
             Format::kRfc3164, Ts("2023-10-11T22:14:15Z"),
             {{"facility", "auth"}, {"host", "mymachine"}, {"level", "FATAL"}, {"service", "su"}},
             "'su root' failed for lonvick on /dev/pts/8",
             {}},
        Case{"rfc3164_example2_no_tag", "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!", Format::kRfc3164,
             Ts("2024-02-05T17:32:18Z"),
             {{"facility", "user"}, {"host", "10.0.0.99"}, {"level", "INFO"}},
             "Use the BFG!",
             {}},
        Case{"rfc3164_pid", "<165>Jun 15 05:34:00 mymachine myproc[10]: %% It's time to make the do-nuts.",
             Format::kRfc3164, Ts("2024-06-15T05:34:00Z"),
             {{"facility", "local4"}, {"host", "mymachine"}, {"level", "INFO"}, {"service", "myproc"}},
             "%% It's time to make the do-nuts.",
             {{"procid", "10"}}},
        Case{"rfc3164_no_timestamp", "<0>1990 Oct 22 10:52:01 TZ-6 LosAngeles 4 /bin/sh: Not found",
             Format::kRfc3164, kNow,
             {{"facility", "kern"}, {"level", "FATAL"}},
             "1990 Oct 22 10:52:01 TZ-6 LosAngeles 4 /bin/sh: Not found",
             {}},
        Case{"rfc3164_no_host", "<30>Jun 15 11:59:00 cron[123]: job ran", Format::kRfc3164,
             Ts("2024-06-15T11:59:00Z"),
             {{"facility", "daemon"}, {"level", "INFO"}, {"service", "cron"}},
             "job ran",
             {{"procid", "123"}}},
        Case{"rfc3164_unpadded_day_fraction", "<14>Jun 5 11:59:00.250 host app: x", Format::kRfc3164,
             Ts("2024-06-05T11:59:00.25Z"),
             {{"facility", "user"}, {"host", "host"}, {"level", "INFO"}, {"service", "app"}},
             "x",
             {}},
        Case{"rfc3164_december_received_in_january", "<14>Dec 31 23:59:59 h app: late", Format::kRfc3164,
             Ts("2023-12-31T23:59:59Z"),
             {{"facility", "user"}, {"host", "h"}, {"level", "INFO"}, {"service", "app"}},
             "late",
             {}},
        Case{"rfc3164_rfc3339_timestamp", "<86>2024-06-15T10:00:00.5+02:00 web sshd[7]: Accepted", Format::kRfc3164,
             Ts("2024-06-15T08:00:00.5Z"),
             {{"facility", "authpriv"}, {"host", "web"}, {"level", "INFO"}, {"service", "sshd"}},
             "Accepted",
             {{"procid", "7"}}},
        // Malformed: still ingested.
        Case{"no_pri", "just some text", Format::kRaw, kNow, {{"facility", "user"}, {"level", "INFO"}},
             "just some text", {}},
        Case{"pri_too_large", "<192>1 - - - - - -", Format::kRaw, kNow, {{"facility", "user"}, {"level", "INFO"}},
             "<192>1 - - - - - -", {}},
        Case{"rfc5424_bad_sd", "<11>1 2024-06-15T11:00:00Z h a p m [broken msg", Format::kRaw, kNow,
             {{"facility", "user"}, {"level", "ERROR"}}, "<11>1 2024-06-15T11:00:00Z h a p m [broken msg", {}},
        Case{"rfc5424_bad_time", "<11>1 yesterday h a p m - msg", Format::kRaw, kNow,
             {{"facility", "user"}, {"level", "ERROR"}}, "<11>1 yesterday h a p m - msg", {}},
        Case{"rfc5424_truncated_header", "<11>1 2024-06-15T11:00:00Z h", Format::kRaw, kNow,
             {{"facility", "user"}, {"level", "ERROR"}}, "<11>1 2024-06-15T11:00:00Z h", {}}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(SyslogParserTest, Rfc3164UsesTheReceiveYear) {
  ParseOptions o = Options();
  o.receive_time_ns = Ts("2024-01-01T00:00:30Z");
  auto p = ParseSyslogMessage("<14>Jan  1 00:00:10 h app: x", o);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->record.timestamp_ns, Ts("2024-01-01T00:00:10Z"));
}

TEST(SyslogParserTest, Feb29InANonLeapYearIsNotATimestamp) {
  ParseOptions o = Options();
  o.receive_time_ns = Ts("2023-06-01T00:00:00Z");
  auto p = ParseSyslogMessage("<14>Feb 29 00:00:10 h app: x", o);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->record.timestamp_ns, o.receive_time_ns);
  EXPECT_EQ(p->record.message, "Feb 29 00:00:10 h app: x");
}

TEST(SyslogParserTest, EverySeverityMapsToALevel) {
  const char* expected[] = {"FATAL", "FATAL", "FATAL", "ERROR", "WARN", "INFO", "INFO", "DEBUG"};
  for (int sev = 0; sev < 8; ++sev) {
    std::string msg = "<" + std::to_string(16 * 8 + sev) + ">1 - - - - - - x";
    auto p = ParseSyslogMessage(msg, Options());
    ASSERT_TRUE(p.ok());
    LabelSet want = {{"facility", "local0"}, {"level", expected[sev]}};
    EXPECT_EQ(p->record.labels, want) << msg;
  }
  EXPECT_EQ(FacilityName(23), "local7");
  EXPECT_EQ(SeverityName(4), "warning");
}

TEST(SyslogParserTest, ExtraLabelsAreAddedAndWin) {
  ParseOptions o = Options();
  o.extra_labels = {{"env", "prod"}, {"host", "override"}};
  auto p = ParseSyslogMessage("<14>1 - h a - - - x", o);
  ASSERT_TRUE(p.ok());
  LabelSet want = {{"env", "prod"}, {"facility", "user"}, {"host", "override"}, {"level", "INFO"}, {"service", "a"}};
  EXPECT_EQ(p->record.labels, want);
}

TEST(SyslogParserTest, EmptyAndOversizedFail) {
  EXPECT_EQ(ParseSyslogMessage("", Options()).status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSyslogMessage("\r\n\0", Options()).status().code(), base::StatusCode::kInvalidArgument);
  ParseOptions o = Options();
  o.max_message_bytes = 10;
  auto p = ParseSyslogMessage("<14>1 - - - - - - 0123456789", o);
  EXPECT_EQ(p.status().code(), base::StatusCode::kPayloadTooLarge);
  EXPECT_EQ(p.status().message(), "message too long: 28 bytes > limit 10");
}

TEST(SyslogParserTest, RepeatedSdParamKeepsFirstPositionAndLastValue) {
  auto p = ParseSyslogMessage("<14>1 - - - - - [origin ip=\"1.1.1.1\" x=\"y\" ip=\"2.2.2.2\"]", Options());
  ASSERT_TRUE(p.ok());
  std::vector<Field> want = {{"sd.origin.ip", "2.2.2.2"}, {"sd.origin.x", "y"}};
  EXPECT_EQ(p->record.fields, want);
}

}  // namespace
}  // namespace strata::ingest::syslog
