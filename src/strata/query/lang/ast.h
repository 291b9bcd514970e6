#pragma once
// The query AST shared by both dialects (LogQL and the product DSL).
//
// One tree describes a log query (stream selector + pipeline of stages) or a metric query (range aggregations,
// vector aggregations, binary operators, literals, vector(), label_replace). Nodes are plain values: they own
// their children (Box<T> = deep-copying, deep-comparing unique_ptr), compare structurally with ==, and carry no
// compiled state (regexes are validated with RE2 by the parser; the planner compiles them again). Durations are
// nanoseconds. Where the exact spelling of a literal matters for printing (label-filter numbers, durations and
// bytes), the source text is kept next to the value.
//
// The DSL adds one node LogQL cannot express: BoolFilterStage, a general AND/OR/NOT expression over the message,
// labels and structured fields.
//
// Thread-safety: value types; immutable after parsing, safe to share read-only between threads.

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace strata::query {

// A heap-allocated child with value semantics (copy = deep copy, == compares the pointees).
template <typename T>
class Box {
 public:
  Box() = default;
  Box(T value) : ptr_(std::make_unique<T>(std::move(value))) {}  // NOLINT: implicit by design
  Box(const Box& other) : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  Box(Box&&) noexcept = default;
  Box& operator=(const Box& other) {
    if (this != &other) ptr_ = other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr;
    return *this;
  }
  Box& operator=(Box&&) noexcept = default;
  explicit operator bool() const { return ptr_ != nullptr; }
  T& operator*() { return *ptr_; }
  const T& operator*() const { return *ptr_; }
  T* operator->() { return ptr_.get(); }
  const T* operator->() const { return ptr_.get(); }
  T* get() { return ptr_.get(); }
  const T* get() const { return ptr_.get(); }
  friend bool operator==(const Box& a, const Box& b) {
    if (!a.ptr_ || !b.ptr_) return !a.ptr_ && !b.ptr_;
    return *a.ptr_ == *b.ptr_;
  }

 private:
  std::unique_ptr<T> ptr_;
};

// ---- Log queries ------------------------------------------------------------------------------------------------

enum class MatchOp { kEq, kNeq, kRegex, kNotRegex };  // = != =~ !~

struct Matcher {
  std::string name;
  MatchOp op = MatchOp::kEq;
  std::string value;
  bool operator==(const Matcher&) const = default;
};

struct Selector {
  std::vector<Matcher> matchers;  // LogQL: validated to hold one matcher that does not match ""; DSL: may be empty
  bool operator==(const Selector&) const = default;
};

enum class LineFilterOp { kContains, kNotContains, kRegex, kNotRegex, kPattern, kNotPattern };  // |= != |~ !~ |> !>

struct LineFilterArg {
  bool is_ip = false;  // ip("...")
  std::string value;
  bool operator==(const LineFilterArg&) const = default;
};

// `|= "a" or "b"`: args are OR-ed (for the negative ops: none of them may match).
struct LineFilterStage {
  LineFilterOp op = LineFilterOp::kContains;
  std::vector<LineFilterArg> args;  // at least one
  bool operator==(const LineFilterStage&) const = default;
};

enum class ParserKind { kJson, kLogfmt, kRegexp, kPattern, kUnpack };

struct Extraction {
  std::string label;
  std::optional<std::string> expression;  // `a="x.y[0]"`; absent for a bare `a`
  bool operator==(const Extraction&) const = default;
};

struct ParserStage {
  ParserKind kind = ParserKind::kJson;
  bool strict = false;      // logfmt --strict
  bool keep_empty = false;  // logfmt --keep-empty
  std::vector<Extraction> extractions;  // json / logfmt
  std::string pattern;                  // regexp / pattern
  bool operator==(const ParserStage&) const = default;
};

enum class CmpOp { kEq, kNeq, kGt, kGe, kLt, kLe };

// A label filter expression: leaves compare one label; kAnd/kOr combine.
struct LabelFilter {
  enum class Kind { kString, kNumber, kDuration, kBytes, kIp, kAnd, kOr };
  Kind kind = Kind::kString;
  std::string name;                    // leaves
  MatchOp match_op = MatchOp::kEq;     // kString
  CmpOp cmp_op = CmpOp::kEq;           // kNumber, kDuration, kBytes, kIp (kEq/kNeq only)
  std::string value;                   // kString, kIp: the value; kNumber/kDuration/kBytes: the source text
  double number = 0;                   // kNumber
  int64_t duration_ns = 0;             // kDuration
  uint64_t bytes = 0;                  // kBytes
  Box<LabelFilter> left, right;        // kAnd, kOr
  bool operator==(const LabelFilter&) const = default;
};

struct LabelFilterStage {
  LabelFilter filter;
  bool operator==(const LabelFilterStage&) const = default;
};

struct LineFormatStage {
  std::string tmpl;  // Go text/template source, kept verbatim
  bool operator==(const LineFormatStage&) const = default;
};

struct LabelFormatItem {
  std::string dst;
  bool is_template = false;  // dst="{{...}}" (template) vs dst=src (rename)
  std::string value;         // template text or source label
  bool operator==(const LabelFormatItem&) const = default;
};

struct LabelFormatStage {
  std::vector<LabelFormatItem> items;
  bool operator==(const LabelFormatStage&) const = default;
};

struct DecolorizeStage {
  bool operator==(const DecolorizeStage&) const = default;
};

// `drop a, b="x"`: a bare name, or a matcher that acts only when the value matches.
struct NamedLabel {
  std::string name;
  std::optional<Matcher> matcher;
  bool operator==(const NamedLabel&) const = default;
};

struct DropStage {
  std::vector<NamedLabel> labels;
  bool operator==(const DropStage&) const = default;
};

struct KeepStage {
  std::vector<NamedLabel> labels;
  bool operator==(const KeepStage&) const = default;
};

// ---- DSL boolean filter -----------------------------------------------------------------------------------------

struct FieldRef {
  enum class Kind { kMessage, kLevel, kService, kTraceId, kName };  // kName: a label or a field (`metadata.region`)
  Kind kind = Kind::kName;
  std::string name;  // as written (for kName)
  bool operator==(const FieldRef&) const = default;
};

enum class DslOp { kEq, kNeq, kGt, kLt, kGe, kLe, kContains, kMatches, kIn };

struct BoolExpr {
  enum class Kind { kAnd, kOr, kNot, kCompare };
  Kind kind = Kind::kCompare;
  Box<BoolExpr> left, right;  // kAnd/kOr: both; kNot: left
  FieldRef field;             // kCompare
  DslOp op = DslOp::kEq;
  std::vector<std::string> values;  // one value, or the IN list
  bool operator==(const BoolExpr&) const = default;
};

struct BoolFilterStage {
  BoolExpr expr;
  bool operator==(const BoolFilterStage&) const = default;
};

using Stage = std::variant<LineFilterStage, ParserStage, LabelFilterStage, LineFormatStage, LabelFormatStage,
                           DecolorizeStage, DropStage, KeepStage, BoolFilterStage>;

struct LogExpr {
  Selector selector;
  std::vector<Stage> stages;
  bool operator==(const LogExpr&) const = default;
};

// ---- Metric queries ---------------------------------------------------------------------------------------------

enum class RangeOp {
  kCountOverTime, kRate, kRateCounter, kBytesOverTime, kBytesRate, kAvgOverTime, kSumOverTime, kMinOverTime,
  kMaxOverTime, kStdvarOverTime, kStddevOverTime, kQuantileOverTime, kFirstOverTime, kLastOverTime,
  kAbsentOverTime,
};

enum class VectorOp { kSum, kAvg, kCount, kMax, kMin, kStddev, kStdvar, kTopk, kBottomk, kSort, kSortDesc,
                      kApproxTopk };

enum class BinaryOp { kOr, kAnd, kUnless, kAdd, kSub, kMul, kDiv, kMod, kPow, kEq, kNeq, kGt, kGe, kLt, kLe };

struct Unwrap {
  enum class Conversion { kNone, kBytes, kDuration, kDurationSeconds };
  std::string label;
  Conversion conversion = Conversion::kNone;
  std::vector<LabelFilter> post_filters;  // `| unwrap x | __error__=""`
  bool operator==(const Unwrap&) const = default;
};

struct LogRange {
  LogExpr log;
  int64_t range_ns = 0;  // 0: the query's whole time range (DSL `| count` without histogram)
  int64_t offset_ns = 0;
  std::optional<Unwrap> unwrap;
  bool operator==(const LogRange&) const = default;
};

struct Grouping {
  bool without = false;
  std::vector<std::string> labels;
  bool operator==(const Grouping&) const = default;
};

struct RangeAggregation {
  RangeOp op = RangeOp::kCountOverTime;
  LogRange range;
  std::optional<double> param;  // quantile_over_time's phi
  std::optional<Grouping> grouping;
  bool operator==(const RangeAggregation&) const = default;
};

struct Expr;

struct VectorAggregation {
  VectorOp op = VectorOp::kSum;
  Box<Expr> inner;
  std::optional<int64_t> param;  // topk/bottomk k
  std::optional<Grouping> grouping;
  bool operator==(const VectorAggregation&) const = default;
};

struct VectorMatching {
  enum class Card { kOneToOne, kManyToOne, kOneToMany };  // group_left = many-to-one
  bool on = false;            // on(...) vs ignoring(...)
  std::vector<std::string> labels;
  Card card = Card::kOneToOne;
  std::vector<std::string> include;  // group_left(...)/group_right(...) labels
  bool operator==(const VectorMatching&) const = default;
};

struct BinaryExpr {
  BinaryOp op = BinaryOp::kAdd;
  bool return_bool = false;
  std::optional<VectorMatching> matching;
  Box<Expr> lhs, rhs;
  bool operator==(const BinaryExpr&) const = default;
};

struct LiteralExpr {
  double value = 0;
  friend bool operator==(const LiteralExpr& a, const LiteralExpr& b) {
    return a.value == b.value || (std::isnan(a.value) && std::isnan(b.value));
  }
};

struct VectorExpr {  // vector(x)
  double value = 0;
  friend bool operator==(const VectorExpr& a, const VectorExpr& b) {
    return a.value == b.value || (std::isnan(a.value) && std::isnan(b.value));
  }
};

struct LabelReplaceExpr {
  Box<Expr> inner;
  std::string dst, replacement, src, regex;
  bool operator==(const LabelReplaceExpr&) const = default;
};

struct Expr {
  std::variant<LogExpr, RangeAggregation, VectorAggregation, BinaryExpr, LiteralExpr, VectorExpr, LabelReplaceExpr>
      node;
  bool operator==(const Expr&) const = default;

  bool IsLogQuery() const { return std::holds_alternative<LogExpr>(node); }
};

// Names as LogQL spells them.
const char* RangeOpName(RangeOp op);
const char* VectorOpName(VectorOp op);
const char* BinaryOpName(BinaryOp op);

}  // namespace strata::query
