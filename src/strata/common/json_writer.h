#pragma once
// Minimal JSON text building for responses and export lines: escaping of strings (invalid UTF-8 bytes become
// U+FFFD so the output is always valid JSON). Pure, thread-safe.

#include <string>
#include <string_view>

namespace strata::common {

enum class JsonEscaping {
  kPlain,    // control characters, quote and backslash; invalid UTF-8 bytes become U+FFFD (raw)
  kGoHtml,   // as Go's encoding/json does by default (Loki's responses): also <, >, & as \u003c \u003e \u0026,
             // U+2028/U+2029 escaped, invalid UTF-8 bytes as \ufffd
};

// Appends s as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view s, JsonEscaping escaping = JsonEscaping::kPlain);

}  // namespace strata::common
