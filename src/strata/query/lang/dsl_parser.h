#pragma once
// Parser of the product DSL used by POST /api/v1/query:
//   level=ERROR AND message CONTAINS "timeout"
//   (service="api" OR service IN ("web", "edge")) AND NOT metadata.region="eu" | count by service, level
//   traceId="abc" | histogram 1m          message MATCHES "time(d)?out" | count by level histogram 5m
//
// Grammar (keywords case-insensitive):
//   query   = [ or ] { "|" agg }
//   or      = and { "OR" and } ;   and = unary { "AND" unary }
//   unary   = "NOT" unary | "(" or ")" | STRING (message contains) | field cmp
//   cmp     = ("=" | "!=" | ">" | "<" | ">=" | "<=") value | "CONTAINS" STRING | "MATCHES" STRING
//           | "IN" "(" value { "," value } ")"
//   field   = WORD (message/msg, level, service, traceId/trace_id, a label, or a field such as metadata.region)
//   value   = STRING | WORD | NUMBER
//   agg     = "count" [ "by" WORD { "," WORD } ] [ "histogram" DURATION ] | "histogram" DURATION
//
// The result is the shared AST (ast.h): a LogExpr with an empty selector (all streams) and one BoolFilterStage;
// an aggregation becomes sum [by (...)] (count_over_time(<log> [step])), where range 0 means "the whole query
// range" (`| count` without histogram); step_ns is the histogram step (0 = one bucket). Errors use the LogQL
// error texts ("parse error at line 1, col C: ..."). Regexes are checked with RE2. Pure; thread-safe.

#include <string>
#include <string_view>

#include "strata/base/status.h"
#include "strata/query/lang/ast.h"

namespace strata::query {

struct DslQuery {
  Expr expr;
  int64_t step_ns = 0;
  bool operator==(const DslQuery&) const = default;
};

base::Result<DslQuery> ParseDsl(std::string_view text);

// Renders a parsed DSL query back to DSL text; ParseDsl(FormatDsl(q)) == q.
std::string FormatDsl(const DslQuery& q);

}  // namespace strata::query
