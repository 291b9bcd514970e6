#include "strata/model/level.h"

#include <gtest/gtest.h>

namespace strata::model {
namespace {

TEST(NormalizeLevelTest, FoldsSynonymsCaseInsensitively) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"trace", "TRACE"},       {"TRACE", "TRACE"},       {"Trace", "TRACE"},
      {"debug", "DEBUG"},       {"DEBUG", "DEBUG"},       {"dbg", "DEBUG"},
      {"DBG", "DEBUG"},         {"info", "INFO"},         {"Info", "INFO"},
      {"INFO", "INFO"},         {"information", "INFO"},  {"Informational", "INFO"},
      {"notice", "INFO"},       {"NOTICE", "INFO"},       {"warn", "WARN"},
      {"WARN", "WARN"},         {"warning", "WARN"},      {"Warning", "WARN"},
      {"error", "ERROR"},       {"ERROR", "ERROR"},       {"err", "ERROR"},
      {"ERR", "ERROR"},         {"fatal", "FATAL"},       {"FATAL", "FATAL"},
      {"critical", "FATAL"},    {"CRITICAL", "FATAL"},    {"crit", "FATAL"},
      {"panic", "FATAL"},       {"emerg", "FATAL"},       {"emergency", "FATAL"},
      {"alert", "FATAL"},       {"Alert", "FATAL"},
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizeLevel(c.in), c.out) << c.in;
}

TEST(NormalizeLevelTest, UnknownLevelsAreUpperCasedAsGiven) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"verbose", "VERBOSE"},
      {"custom-Level_2", "CUSTOM-LEVEL_2"},
      {"", ""},
      {"3", "3"},
      {"warnings", "WARNINGS"},  // a synonym must match whole
      {"in fo", "IN FO"},
      {"\xc3\xa9rror", "\xc3\xa9RROR"},  // non-ASCII bytes untouched
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizeLevel(c.in), c.out) << c.in;
}

TEST(NormalizeLevelTest, TrimsSurroundingWhitespace) {
  EXPECT_EQ(NormalizeLevel(" info "), "INFO");
  EXPECT_EQ(NormalizeLevel("\twarning\r\n"), "WARN");
  EXPECT_EQ(NormalizeLevel("  custom "), "CUSTOM");
  EXPECT_EQ(NormalizeLevel("   "), "");
}

TEST(NormalizeLevelTest, IsIdempotent) {
  for (const char* in : {"warning", "err", "notice", "crit", "dbg", "whatever", "TRACE"}) {
    const std::string once = NormalizeLevel(in);
    EXPECT_EQ(NormalizeLevel(once), once) << in;
  }
}

}  // namespace
}  // namespace strata::model
