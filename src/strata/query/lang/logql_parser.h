#pragma once
// LogQL parser: hand-written recursive descent (precedence climbing for binary operators, Prometheus precedence)
// producing the shared AST (ast.h), followed by Loki's static validation.
//
// Errors are InvalidArgument Statuses whose message is Loki's text: syntax errors carry the position of the
// offending token (`parse error at line 1, col 23: syntax error: unexpected )`); semantic errors carry none
// (`parse error : grouping not allowed for sum_over_time aggregation`). Regexes are checked with RE2 only.
// Two literal legs of a binary operator are folded at parse time, as Loki does (`1 + 1` is `2`).
// Pure functions; thread-safe.

#include <string_view>

#include "strata/base/status.h"
#include "strata/query/lang/ast.h"

namespace strata::query {

inline constexpr size_t kMaxQueryLength = 131072;

base::Result<Expr> ParseLogQL(std::string_view query);

// Renders an AST as canonical LogQL (used by format_query); ParseLogQL(FormatLogQL(e)) == e for every parsed e.
// BoolFilterStage (DSL only) has no LogQL spelling; it is rendered as `| __dsl__ <dsl text>` for display.
std::string FormatLogQL(const Expr& expr);
std::string FormatLabelFilter(const LabelFilter& f);
std::string FormatBoolExpr(const BoolExpr& e);  // DSL syntax (dsl_parser.cc)

}  // namespace strata::query
