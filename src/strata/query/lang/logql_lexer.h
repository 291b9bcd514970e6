#pragma once
// LogQL lexer: turns query text into tokens with 1-based line/column positions (for Loki-style error texts).
//
// Strings are "..." with Go escapes or `...` raw; `#` starts a comment to end of line; numbers are ints or floats;
// a number directly followed by a unit is a DURATION (Prometheus `1h30m`, `1d`, then Go `1.5h`, `250us`) or BYTES
// (`10KB`, `5MiB`); `[...]` is one RANGE token holding a Prometheus duration. Identifiers are returned as kIdent;
// the parser decides contextually which are keywords (LogQL function names are keywords only before `(`).
// Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"

namespace strata::query {

enum class TokKind {
  kEnd, kIdent, kString, kNumber, kDuration, kBytes, kRange, kParserFlag,
  kLBrace, kRBrace, kLParen, kRParen, kComma, kPipe,
  kPipeExact, kPipeMatch, kPipePattern,  // |= |~ |>
  kNeq, kNre, kNpa,                      // != !~ !>
  kEq, kRe, kCmpEq, kGt, kGe, kLt, kLe,  // = =~ == > >= < <=
  kAdd, kSub, kMul, kDiv, kMod, kPow,
};

struct Token {
  TokKind kind = TokKind::kEnd;
  std::string text;   // source spelling (for strings: the unquoted value)
  int line = 1;       // 1-based
  int col = 1;        // 1-based
  double number = 0;  // kNumber, kBytes (value in bytes)
  int64_t duration_ns = 0;  // kDuration, kRange
};

// Formats Loki's parse error text: "parse error at line L, col C: msg", or "parse error : msg" when line and col
// are both 0.
base::Status ParseError(std::string_view msg, int line = 0, int col = 0);

// Lexes the whole input. A lexical error is returned as an InvalidArgument with Loki's text.
base::Result<std::vector<Token>> LexLogQL(std::string_view input);

// Durations. ParsePromDuration: `[0-9]+(y|w|d|h|m|s|ms)` units in decreasing order. ParseGoDuration: Go's
// time.ParseDuration (decimals; ns us µs ms s m h). ParseAnyDuration tries Prometheus, then Go. false on error.
bool ParsePromDuration(std::string_view s, int64_t* ns);
bool ParseGoDuration(std::string_view s, int64_t* ns);
bool ParseAnyDuration(std::string_view s, int64_t* ns);
// go-humanize style bytes: number + B kB KB MB GB TB PB KiB MiB GiB TiB PiB (case-insensitive).
bool ParseBytes(std::string_view s, uint64_t* bytes);

// Canonical renderings that the lexer reads back to the same value.
std::string FormatDuration(int64_t ns);  // Prometheus style when ms-granular (`1h30m`), else Go style (`1h5us`)
std::string QuoteString(std::string_view s);  // Go strconv.Quote style, "..."
std::string FormatNumber(double v);           // shortest round-trip form

}  // namespace strata::query
