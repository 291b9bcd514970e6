#pragma once
// Minimal JSON text building for responses and export lines: escaping of strings (invalid UTF-8 bytes become
// U+FFFD so the output is always valid JSON). Pure, thread-safe.

#include <string>
#include <string_view>

namespace strata::common {

// Appends s as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace strata::common
