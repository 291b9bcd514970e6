// AST selector -> storage matchers.
#include "strata/query/engine/query_engine.h"

namespace strata::query {

base::Result<std::vector<storage::LabelMatcher>> ToStorageMatchers(const Selector& selector) {
  std::vector<storage::LabelMatcher> out;
  out.reserve(selector.matchers.size());
  for (const auto& m : selector.matchers) {
    storage::LabelMatcher::Op op = storage::LabelMatcher::Op::kEq;
    switch (m.op) {
      case MatchOp::kEq: op = storage::LabelMatcher::Op::kEq; break;
      case MatchOp::kNeq: op = storage::LabelMatcher::Op::kNeq; break;
      case MatchOp::kRegex: op = storage::LabelMatcher::Op::kRegex; break;
      case MatchOp::kNotRegex: op = storage::LabelMatcher::Op::kNotRegex; break;
    }
    ASSIGN_OR_RETURN(auto matcher, storage::MakeLabelMatcher(m.name, op, m.value));
    out.push_back(std::move(matcher));
  }
  return out;
}

}  // namespace strata::query
