#pragma once
// Parsing of LogQL-style stream selectors, optionally followed by one line filter, as used by delete requests and
// per-stream retention rules:
//   {service="api", env=~"prod|staging"}
//   {service="api"} |= "password"        (also !=, |~, !~)
// Strings are double-quoted with Go-style escapes (\" \\ \n \t) or back-quoted (raw). Errors follow Loki's text:
// "parse error at line 1, col C: <what>". The query engine's full LogQL parser arrives with the query issue;
// this small parser covers the storage layer's needs. Pure, thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/storage/scan.h"

namespace strata::storage {

struct StreamSelector {
  std::vector<LabelMatcher> matchers;     // at least one
  std::optional<Predicate> line_filter;   // on the message (kSubstring, kNotSubstring, kRegex, kNotRegex)
  std::string text;                       // the input, for display

  bool MatchesStream(const model::LabelSet& labels) const;
};

// allow_line_filter=false rejects a trailing line filter (retention rules select whole streams).
base::Result<StreamSelector> ParseStreamSelector(std::string_view text, bool allow_line_filter = true);

}  // namespace strata::storage
