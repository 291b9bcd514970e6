#pragma once
// PatternMatcher: LogQL's pattern expressions (`<ip> - - <_> "<method> <uri> <_>"`): captures `<name>` (a name is
// [A-Za-z_][A-Za-z0-9_]*), the unnamed capture `<_>`, and literals (any other text, a `<` that does not open a
// capture included).
//
// Two uses with Loki's two behaviours:
//   Extract (the `pattern` parser): anchored at the start unless the expression starts with a capture; each capture
//     runs to the first occurrence of the literal after it; when that literal is missing the capture takes the rest
//     of the line and matching stops; a trailing capture takes the rest. Returns how many named captures matched.
//   Test (the `|>` / `!>` filters): the whole line must match: literals in order (first occurrence), a leading
//     literal at the start, a trailing literal at the end, and no capture empty.
// Immutable; thread-safe; no allocation per call.

#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"

namespace strata::query {

class PatternMatcher {
 public:
  // `require_named`: the parser needs at least one named capture; the filter does not.
  static base::Result<PatternMatcher> Compile(std::string_view pattern, bool require_named);

  // Fills `captures` (resized to the named captures that matched, in order) with views into `line`.
  void Extract(std::string_view line, std::vector<std::string_view>& captures) const;
  bool Test(std::string_view line) const;

  const std::vector<std::string>& names() const { return names_; }

 private:
  struct Node {
    bool capture = false;
    bool named = false;
    std::string text;  // literal text, or the capture's name
  };
  std::vector<Node> nodes_;
  std::vector<std::string> names_;
};

}  // namespace strata::query
