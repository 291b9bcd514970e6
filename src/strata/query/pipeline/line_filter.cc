// Line filters `|= != |~ !~ |> !>` with `or` alternatives and ip(): positive ops keep a line when any alternative
// matches, negative ops when none does. Case-sensitive; regexes are RE2, unanchored.

#include <re2/re2.h>
#include <string.h>

#include <optional>

#include "strata/query/pipeline/ip_matcher.h"
#include "strata/query/pipeline/pattern_matcher.h"
#include "strata/query/pipeline/stage.h"

namespace strata::query {

namespace {

struct Alternative {
  enum class Kind { kSubstring, kRegex, kIp, kPattern } kind = Kind::kSubstring;
  std::string text;
  std::shared_ptr<const RE2> regex;
  std::optional<IpMatcher> ip;
  std::optional<PatternMatcher> pattern;

  bool Matches(std::string_view line) const {
    switch (kind) {
      case Kind::kSubstring:
        if (text.empty()) return true;
        // memmem (two-way) beats a naive scan on long lines and never allocates.
        return memmem(line.data(), line.size(), text.data(), text.size()) != nullptr;
      case Kind::kRegex: return RE2::PartialMatch(line, *regex);
      case Kind::kIp: return ip->MatchesAnyInLine(line);
      case Kind::kPattern: return pattern->Test(line);
    }
    return false;
  }
};

class LineFilter final : public CompiledStage {
 public:
  LineFilter(LineFilterOp op, std::vector<Alternative> alts) : op_(op), alts_(std::move(alts)) {}

  bool Process(int64_t, std::string& line, LabelsBuilder&) const override {
    bool any = false;
    for (const Alternative& a : alts_) {
      if (a.Matches(line)) {
        any = true;
        break;
      }
    }
    return Negated() ? !any : any;
  }

  void Pushdown(std::vector<storage::Predicate>& out) const override {
    // A positive filter is implied only without alternatives; a negative one implies each of its legs
    // (not (a or b) = not a and not b). ip() and patterns have no storage form.
    if (!Negated() && alts_.size() != 1) return;
    for (const Alternative& a : alts_) {
      storage::Predicate::Kind kind;
      if (a.kind == Alternative::Kind::kSubstring) {
        kind = Negated() ? storage::Predicate::Kind::kNotSubstring : storage::Predicate::Kind::kSubstring;
      } else if (a.kind == Alternative::Kind::kRegex) {
        kind = Negated() ? storage::Predicate::Kind::kNotRegex : storage::Predicate::Kind::kRegex;
      } else {
        continue;
      }
      auto p = storage::MakePredicate(kind, storage::kMessageField, a.text);
      if (p.ok()) out.push_back(std::move(p).value());
    }
  }

  // Storage evaluates kSubstring with find() and kRegex with the same RE2 options as Matches() above.
  bool PushedDownExactly() const override {
    if (!Negated() && alts_.size() != 1) return false;
    for (const Alternative& a : alts_) {
      if (a.kind != Alternative::Kind::kSubstring && a.kind != Alternative::Kind::kRegex) return false;
    }
    return true;
  }

 private:
  bool Negated() const {
    return op_ == LineFilterOp::kNotContains || op_ == LineFilterOp::kNotRegex || op_ == LineFilterOp::kNotPattern;
  }

  LineFilterOp op_;
  std::vector<Alternative> alts_;
};

}  // namespace

base::Result<StagePtr> MakeLineFilterStage(const LineFilterStage& stage) {
  if (stage.args.empty()) return base::InvalidArgument("line filter without an argument");
  std::vector<Alternative> alts;
  for (const LineFilterArg& arg : stage.args) {
    Alternative a;
    a.text = arg.value;
    if (arg.is_ip) {
      if (stage.op != LineFilterOp::kContains && stage.op != LineFilterOp::kNotContains) {
        return base::InvalidArgument("ip() line filters support only |= and !=");
      }
      a.kind = Alternative::Kind::kIp;
      ASSIGN_OR_RETURN(IpMatcher m, IpMatcher::Compile(arg.value));
      a.ip = std::move(m);
    } else if (stage.op == LineFilterOp::kRegex || stage.op == LineFilterOp::kNotRegex) {
      a.kind = Alternative::Kind::kRegex;
      RE2::Options o;
      o.set_log_errors(false);
      auto re = std::make_shared<RE2>(arg.value, o);
      if (!re->ok()) return base::InvalidArgument("invalid regex \"" + arg.value + "\": " + re->error());
      a.regex = std::move(re);
    } else if (stage.op == LineFilterOp::kPattern || stage.op == LineFilterOp::kNotPattern) {
      a.kind = Alternative::Kind::kPattern;
      ASSIGN_OR_RETURN(PatternMatcher m, PatternMatcher::Compile(arg.value, /*require_named=*/false));
      a.pattern = std::move(m);
    }
    alts.push_back(std::move(a));
  }
  return StagePtr(std::make_shared<LineFilter>(stage.op, std::move(alts)));
}

}  // namespace strata::query
