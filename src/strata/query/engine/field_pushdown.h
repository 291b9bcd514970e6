#pragma once
// Pushes leading label filters on structured metadata down to the scan as field predicates, so a needle such as
// `{env="prod"} | trace_id="4bf92f35..."` is answered from the token index instead of a full scan.
//
// `name="value"` (non-empty value) at the top of a pipeline, before any stage that can create, rename or drop
// labels (parsers, label_format, drop, keep), can only be satisfied by a stream label or a structured-metadata
// field of that name. When no stream selected by the query carries a label of that name (checked against the
// stream tables for the query's time range), the filter is exactly "the field equals value": a storage kEquals
// predicate, which the token index and blooms prune. Numeric comparisons `name > N` (>=, <, <=) in the same
// position are pushed as their necessary condition: the field is present and is either not a plain number (Loki
// keeps it with __error__, so the pipeline must see it) or a number comparing true; blocks whose integer or float
// column has min/max outside the range are skipped. Streams created after the check are not seen; a new stream
// with such a label during the query is the only case where a row could be missed.

#include <vector>

#include "strata/query/engine/execution_context.h"
#include "strata/query/lang/ast.h"
#include "strata/storage/scan.h"

namespace strata::query {

std::vector<storage::Predicate> FieldPushdown(const ExecutionContext& ctx, const LogExpr& expr,
                                              const std::vector<storage::LabelMatcher>& matchers, int64_t from_ns,
                                              int64_t to_ns);

}  // namespace strata::query
