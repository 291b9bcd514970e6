#include "strata/common/json_writer.h"

#include <gtest/gtest.h>

namespace strata::common {
namespace {

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonWriterTest, EscapesControlQuotesAndBackslashes) {
  EXPECT_EQ(Quote("plain"), "\"plain\"");
  EXPECT_EQ(Quote("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
}

TEST(JsonWriterTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Quote("h\xC3\xA9llo \xF0\x9F\x98\x80"), "\"h\xC3\xA9llo \xF0\x9F\x98\x80\"");
  EXPECT_EQ(Quote("bad\xFFz"), "\"bad\xEF\xBF\xBDz\"");
  EXPECT_EQ(Quote("\xC3"), "\"\xEF\xBF\xBD\"");          // truncated sequence
  EXPECT_EQ(Quote("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(JsonWriterTest, GoHtmlModeEscapesLikeGoAndPlainModeDoesNot) {
  std::string go, plain;
  const std::string_view s = "<a>&\xE2\x80\xA8\xFF";
  AppendJsonString(go, s, JsonEscaping::kGoHtml);
  AppendJsonString(plain, s);
  EXPECT_EQ(go, "\"\\u003ca\\u003e\\u0026\\u2028\\ufffd\"");
  EXPECT_EQ(plain, "\"<a>&\xE2\x80\xA8\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace strata::common
