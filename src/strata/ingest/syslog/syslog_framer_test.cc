#include "strata/ingest/syslog/syslog_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::ingest::syslog {
namespace {

using Event = SyslogFramer::Event;

struct Collected {
  std::vector<std::string> messages;
  int oversized = 0;
  int truncated = 0;
};

// Feeds `stream` in pieces of `step` bytes (every split point gets exercised by the callers).
Collected Frame(const std::string& stream, size_t step, size_t max_frame = 1024) {
  Collected c;
  SyslogFramer framer(max_frame);
  auto sink = [&](Event e, std::string_view frame) {
    if (e == Event::kMessage) c.messages.emplace_back(frame);
    if (e == Event::kOversized) ++c.oversized;
    if (e == Event::kTruncated) ++c.truncated;
  };
  for (size_t i = 0; i < stream.size(); i += step) framer.Feed(std::string_view(stream).substr(i, step), sink);
  framer.Finish(sink);
  return c;
}

TEST(SyslogFramerTest, NewlineAndOctetCountingMixedAtEverySplit) {
  const std::string stream =
      "<13>1 - - - - - - first\n"
      "32 <13>1 - - - - - - second\nwith LF"
      "\n\n"
      "<13>third\r\n"
      "10 <13>fourth"
      "<13>last without LF";
  const std::vector<std::string> want = {"<13>1 - - - - - - first", "<13>1 - - - - - - second\nwith LF",
                                         "<13>third\r", "<13>fourth", "<13>last without LF"};
  for (size_t step = 1; step <= stream.size(); ++step) {
    Collected c = Frame(stream, step);
    EXPECT_EQ(c.messages, want) << "step " << step;
    EXPECT_EQ(c.oversized, 0);
    EXPECT_EQ(c.truncated, 0);
  }
}

TEST(SyslogFramerTest, DigitsWithoutASpaceStartALine) {
  Collected c = Frame("12345abc\n200 is a year\n", 3);
  // "200 is a year" parses as an octet count of 200 followed by SP: it waits for 200 bytes and is truncated.
  EXPECT_EQ(c.messages, std::vector<std::string>{"12345abc"});
  EXPECT_EQ(c.truncated, 1);
}

TEST(SyslogFramerTest, OversizedFramesAreSkippedAndTheStreamGoesOn) {
  for (size_t step : {1, 7, 1000}) {
    std::string big_line(100, 'x');
    std::string stream = "<13>ok1\n" + big_line + "\n" + "50 " + std::string(50, 'y') + "<13>ok2\n";
    Collected c = Frame(stream, step, /*max_frame=*/20);
    EXPECT_EQ(c.messages, (std::vector<std::string>{"<13>ok1", "<13>ok2"})) << step;
    EXPECT_EQ(c.oversized, 2) << step;
  }
}

TEST(SyslogFramerTest, TruncatedOctetFrameAtEndOfStream) {
  Collected c = Frame("10 <13>abc", 4);
  EXPECT_TRUE(c.messages.empty());
  EXPECT_EQ(c.truncated, 1);
}

TEST(SyslogFramerTest, BufferStaysBounded) {
  SyslogFramer framer(64);
  std::string chunk(1000, 'z');
  for (int i = 0; i < 100; ++i) {
    framer.Feed(chunk, [](Event, std::string_view) {});
    EXPECT_LE(framer.buffered(), 64u);
  }
}

}  // namespace
}  // namespace strata::ingest::syslog
