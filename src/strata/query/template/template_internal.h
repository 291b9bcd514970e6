#pragma once
// Internals of GoTemplate shared by the parser/executor (go_template.cc) and the function library
// (template_functions.cc): the dynamically typed Value, the function table and the Go-compatible formatting helpers.
// Not part of the public API.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/base/status.h"
#include "strata/common/text.h"
#include "strata/query/template/go_template.h"

namespace re2 {
class RE2;
}

namespace strata::query::tmpl {

// Go's utf8.DecodeRuneInString and utf8.AppendRune: invalid input decodes, and invalid code points (surrogates,
// above U+10FFFF) encode, as U+FFFD.
inline uint32_t DecodeRune(std::string_view s, size_t i, size_t* width) { return common::DecodeUtf8(s, i, width); }
inline void AppendRune(std::string& out, uint32_t r) {
  common::AppendUtf8(out, r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF) ? 0xFFFD : r);
}

// Upper bound for any string a template produces (the output and every intermediate value).
inline constexpr size_t kMaxValueBytes = size_t{1} << 20;

// A point in time: Unix seconds + nanoseconds, displayed at `offset` seconds east of UTC. `utc` names the zone
// "UTC"; otherwise the zone has no name and prints as its numeric offset (Go's FixedZone("", offset)).
struct TimeVal {  // trivial (it lives in Value's union): value-initialize it
  int64_t sec;
  int32_t nsec;
  int32_t offset;
  bool utc;
};

// Go's zero time.Time (0001-01-01 00:00:00 UTC).
inline constexpr int64_t kZeroTimeUnix = -62135596800;

enum class Kind : uint8_t { kNil, kBool, kInt, kFloat, kString, kTime, kList, kMap, kLabels };
// The Go type of an integer, for error messages and %T (Go's template is strict: an int64 is not an int).
enum class IntType : uint8_t { kInt, kInt64, kInt32, kUint8 };

struct Value;
using List = std::vector<Value>;
using Map = std::vector<std::pair<std::string, Value>>;  // sorted by key

struct Value {
  Kind kind = Kind::kNil;
  IntType itype = IntType::kInt;
  bool owned = false;  // string lives in `s` (else in `sv`, borrowed from the input or the compiled tree)
  union {  // by kind: kBool b, kInt i, kFloat f, kTime t
    int64_t i = 0;
    bool b;
    double f;
    TimeVal t;
  };
  std::string_view sv;
  std::string s;
  std::shared_ptr<const List> list;
  std::shared_ptr<const Map> map;

  std::string_view str() const { return owned ? std::string_view(s) : sv; }

  static Value Nil() { return {}; }
  static Value Bool(bool v) {
    Value r;
    r.kind = Kind::kBool;
    r.b = v;
    return r;
  }
  static Value Int(int64_t v, IntType t = IntType::kInt) {
    Value r;
    r.kind = Kind::kInt;
    r.i = v;
    r.itype = t;
    return r;
  }
  static Value Float(double v) {
    Value r;
    r.kind = Kind::kFloat;
    r.f = v;
    return r;
  }
  static Value View(std::string_view v) {
    Value r;
    r.kind = Kind::kString;
    r.sv = v;
    return r;
  }
  static Value Str(std::string v) {
    Value r;
    r.kind = Kind::kString;
    r.owned = true;
    r.s = std::move(v);
    return r;
  }
  static Value Time(TimeVal v) {
    Value r;
    r.kind = Kind::kTime;
    r.t = v;
    return r;
  }
  static Value Labels() {
    Value r;
    r.kind = Kind::kLabels;
    return r;
  }
};

// Go's type name of a value ("string", "int64", "time.Time"...).
std::string_view TypeName(const Value& v);
// Go's truth: false, 0, "", nil and empty lists/maps are false.
bool Truth(const Value& v);
// Sprig's empty() (used by `default`): like !Truth except that a time is never empty.
bool IsEmpty(const Value& v);

// fmt.Print formatting of one value (%v); `top` renders nil as "<no value>" (template printing) else "<nil>".
base::Status AppendValue(std::string& out, const Value& v, bool top = true);
// strconv.FormatFloat(f, 'g', -1, 64) as fmt's %v uses it.
void AppendGoFloat(std::string& out, double f);
// time.Time.String().
void AppendTimeString(std::string& out, const TimeVal& t);

// Parameter kinds of a template function (Go's reflect types of its parameters).
enum class Param : uint8_t { kString, kInt, kFloat, kAny, kTime, kBool };

struct CallContext {
  const TemplateInput* input = nullptr;
  const re2::RE2* regex = nullptr;  // a precompiled literal pattern (matching args[0]) or null
};

using FuncImpl = base::Result<Value> (*)(CallContext& ctx, std::span<Value> args);

// How the executor treats a function specially.
enum class FuncSpecial : uint8_t { kNone, kAnd, kOr };

struct FuncSpec {
  std::string_view name;
  std::string_view params;  // one letter per parameter: s(tring) i(nt) f(loat64) a(ny) t(ime) b(ool); a trailing
                            // '*' makes the last one variadic
  FuncImpl fn;
  FuncSpecial special = FuncSpecial::kNone;
  bool uses_regex = false;  // args[0] is a regular expression (precompiled when a literal)

  size_t NumFixed() const { return variadic() ? params.size() - 2 : params.size(); }
  bool variadic() const { return !params.empty() && params.back() == '*'; }
  // Kind of the i-th argument (the variadic kind repeats).
  Param ParamAt(size_t i) const;
};

// nullptr when no such function exists.
const FuncSpec* FindFunction(std::string_view name);

// Compiles a Go regular expression with RE2 (Go's syntax); error text like Go's.
base::Result<std::shared_ptr<re2::RE2>> CompileRegex(std::string_view pattern);

}  // namespace strata::query::tmpl
