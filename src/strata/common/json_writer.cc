#include "strata/common/json_writer.h"

#include <cstdint>

#include "strata/common/text.h"

namespace strata::common {

void AppendJsonString(std::string& out, std::string_view s, JsonEscaping escaping) {
  const bool go = escaping == JsonEscaping::kGoHtml;
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy runs of plain ASCII in one append.
    size_t start = i;
    while (i < s.size()) {
      uint8_t c = static_cast<uint8_t>(s[i]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80 || (go && (c == '<' || c == '>' || c == '&'))) break;
      ++i;
    }
    out.append(s.data() + start, i - start);
    if (i >= s.size()) break;
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        out.append(go ? "\\ufffd" : "\xEF\xBF\xBD");
        ++i;
      } else if (go && n == 3 && c == 0xE2 && static_cast<uint8_t>(s[i + 1]) == 0x80 &&
                 (static_cast<uint8_t>(s[i + 2]) == 0xA8 || static_cast<uint8_t>(s[i + 2]) == 0xA9)) {
        // U+2028 / U+2029 break JavaScript string literals; Go escapes them.
        out.append(static_cast<uint8_t>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
        i += 3;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    ++i;
  }
  out.push_back('"');
}

}  // namespace strata::common
