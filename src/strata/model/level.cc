#include "strata/model/level.h"

#include <array>
#include <utility>

namespace strata::model {
namespace {

char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiUpper(a[i]) != AsciiUpper(b[i])) return false;
  }
  return true;
}

// Synonyms as producers spell them (syslog severity names, log4j/logback, Python logging, zap, slog). The canonical
// names map to themselves so "Info" and "INFO" take the same path.
constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kSynonyms = {{
    {"trace", "TRACE"},     {"debug", "DEBUG"},       {"dbg", "DEBUG"},
    {"info", "INFO"},       {"information", "INFO"},  {"informational", "INFO"},
    {"notice", "INFO"},     {"warn", "WARN"},         {"warning", "WARN"},
    {"error", "ERROR"},     {"err", "ERROR"},         {"fatal", "FATAL"},
    {"critical", "FATAL"},  {"crit", "FATAL"},        {"panic", "FATAL"},
    {"emerg", "FATAL"},     {"emergency", "FATAL"},   {"alert", "FATAL"},
}};

}  // namespace

std::string NormalizeLevel(std::string_view level) {
  // Surrounding whitespace is never meaningful in a level and would otherwise create a distinct stream.
  while (!level.empty() && IsSpace(level.front())) level.remove_prefix(1);
  while (!level.empty() && IsSpace(level.back())) level.remove_suffix(1);
  for (const auto& [name, canonical] : kSynonyms) {
    if (EqualsIgnoreCase(level, name)) return std::string(canonical);
  }
  // ASCII-only upper-casing: locale-independent, and bytes of multi-byte UTF-8 sequences stay intact.
  std::string out(level);
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

}  // namespace strata::model
