#include "strata/storage/index/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "strata/common/hash.h"

namespace strata::storage::index {
namespace {

std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  ForEachToken(text, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

using V = std::vector<std::string>;

TEST(Tokenizer, TokenBytes) {
  for (int c = 0; c < 256; ++c) {
    bool expected = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
    EXPECT_EQ(IsTokenByte(static_cast<unsigned char>(c)), expected) << c;
  }
}

TEST(Tokenizer, EmptyAndSeparatorsOnly) {
  EXPECT_TRUE(Tokens("").empty());
  EXPECT_TRUE(Tokens(" ").empty());
  EXPECT_TRUE(Tokens(" \t\r\n-.:;,/\\\"'[]{}()=&|<>!?@#$%^*+~`").empty());
  EXPECT_TRUE(Tokens(std::string(3, '\0')).empty());
}

TEST(Tokenizer, NginxAccessLine) {
  const char* line =
      "192.168.10.4 - - [17/Sep/2024:10:02:03 +0000] \"GET /api/v1/users?id=42 HTTP/1.1\" 200 512 \"-\" "
      "\"curl/8.4.0\"";
  EXPECT_EQ(Tokens(line), (V{"192", "168", "10", "4", "17", "Sep", "2024", "10", "02", "03", "0000", "GET", "api",
                             "v1", "users", "id", "42", "HTTP", "1", "1", "200", "512", "curl", "8", "4", "0"}));
}

TEST(Tokenizer, Json) {
  EXPECT_EQ(Tokens(R"({"level":"ERROR","msg":"db timeout","user_id":1234,"ok":false,"tags":["a-b"]})"),
            (V{"level", "ERROR", "msg", "db", "timeout", "user_id", "1234", "ok", "false", "tags", "a", "b"}));
}

TEST(Tokenizer, KeyValueAndIds) {
  EXPECT_EQ(Tokens("trace_id=a3f9c2"), (V{"trace_id", "a3f9c2"}));
  EXPECT_EQ(Tokens("request_id=0f8e-11aa span=__x__"), (V{"request_id", "0f8e", "11aa", "span", "__x__"}));
  EXPECT_EQ(Tokens("a"), (V{"a"}));
  EXPECT_EQ(Tokens("  leading and trailing  "), (V{"leading", "and", "trailing"}));
}

TEST(Tokenizer, Utf8WordsAreTokens) {
  // Multi-byte sequences are all >= 0x80, so they join the ASCII letters around them.
  EXPECT_EQ(Tokens("Grüße aus Köln"), (V{"Grüße", "aus", "Köln"}));
  EXPECT_EQ(Tokens("ошибка: соединение"), (V{"ошибка", "соединение"}));
  EXPECT_EQ(Tokens("日本語 テスト"), (V{"日本語", "テスト"}));
  EXPECT_EQ(Tokens("emoji🙂ok"), (V{"emoji🙂ok"}));
}

TEST(Tokenizer, DuplicatesKeptInOrder) { EXPECT_EQ(Tokens("a b a"), (V{"a", "b", "a"})); }

TEST(TokenHash, CaseInsensitiveAscii) {
  EXPECT_EQ(TokenHash("ERROR"), TokenHash("error"));
  EXPECT_EQ(TokenHash("Error"), TokenHash("eRRoR"));
  EXPECT_EQ(TokenHash("A3F9C2"), TokenHash("a3f9c2"));
  EXPECT_NE(TokenHash("error"), TokenHash("errors"));
  EXPECT_NE(TokenHash("a"), TokenHash("b"));
  // Only ASCII is folded: '@' (0x40) and '[' (0x5b) border A-Z and must stay as they are.
  EXPECT_NE(TokenHash("@"), TokenHash("`"));
  EXPECT_NE(TokenHash("["), TokenHash("{"));
  // UTF-8 bytes are not folded (Ü and ü differ).
  EXPECT_NE(TokenHash("Über"), TokenHash("über"));
  EXPECT_EQ(TokenHash("ÜBER"), TokenHash("Über"));  // ASCII letters around it still fold
}

TEST(TokenHash, IsHash64OfLowercase) {
  EXPECT_EQ(TokenHash("Trace_ID"), common::Hash64("trace_id"));
  EXPECT_EQ(TokenHash(""), common::Hash64(""));
  // Every length class of the hash (tails of 1-3 and 4-7 bytes, 8-byte and 16-byte strides) and long tokens.
  for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 255, 256, 257, 5000}) {
    std::string upper, lower;
    for (size_t i = 0; i < n; ++i) {
      upper.push_back(static_cast<char>('A' + i % 26));
      lower.push_back(static_cast<char>('a' + i % 26));
    }
    EXPECT_EQ(TokenHash(upper), common::Hash64(lower)) << n;
    EXPECT_EQ(TokenHash(upper), TokenHash(lower)) << n;
  }
}

TEST(TokenHash, Pinned) {
  // Stored on disk: must not change.
  EXPECT_EQ(TokenHash("error"), 0xea2a513b00a14b6eULL);
  EXPECT_EQ(TokenHash("a3f9c2"), 0x064763e95b301617ULL);
}

}  // namespace
}  // namespace strata::storage::index
