#include "strata/storage/scan.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace strata::storage {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool IContains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

bool IsTokenChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || u == '_' || u >= 0x80;
}

// Whole-token containment: needle occurs bounded by non-token characters (or the ends).
bool ContainsToken(std::string_view hay, std::string_view token, bool ci) {
  if (token.empty()) return false;
  size_t pos = 0;
  while (pos + token.size() <= hay.size()) {
    size_t found;
    if (ci) {
      auto it = std::search(hay.begin() + static_cast<ptrdiff_t>(pos), hay.end(), token.begin(), token.end(),
                            [](char a, char b) {
                              return std::tolower(static_cast<unsigned char>(a)) ==
                                     std::tolower(static_cast<unsigned char>(b));
                            });
      if (it == hay.end()) return false;
      found = static_cast<size_t>(it - hay.begin());
    } else {
      found = hay.find(token, pos);
      if (found == std::string_view::npos) return false;
    }
    bool left = found == 0 || !IsTokenChar(hay[found - 1]);
    size_t end = found + token.size();
    bool right = end == hay.size() || !IsTokenChar(hay[end]);
    if (left && right) return true;
    pos = found + 1;
  }
  return false;
}

// A plain decimal: optional sign, a digit or '.', then what from_chars' general format reads to the end (no hex,
// inf or nan spellings, no second sign), so Go's strconv.ParseFloat reads the same value.
bool ParsePlainDecimal(std::string_view v, double* out) {
  const bool negative = !v.empty() && v.front() == '-';
  if (!v.empty() && (negative || v.front() == '+')) v.remove_prefix(1);
  if (v.empty() || !(std::isdigit(static_cast<unsigned char>(v.front())) || v.front() == '.')) return false;
  double d;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d, std::chars_format::general);
  if (ec != std::errc() || p != v.data() + v.size()) return false;
  *out = negative ? -d : d;
  return true;
}

bool ParseNumber(std::string_view v, double* out) {
  if (v.empty()) return false;
  const char* b = v.data();
  const char* e = v.data() + v.size();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, *out);
  return ec == std::errc() && p == e;
}

}  // namespace

bool LabelMatcher::Matches(const model::LabelSet& labels) const {
  std::string_view v;
  for (const auto& l : labels) {
    if (l.name == name) {
      v = l.value;
      break;
    }
  }
  switch (op) {
    case Op::kEq: return v == value;
    case Op::kNeq: return v != value;
    case Op::kRegex: return RE2::FullMatch(v, *regex);
    case Op::kNotRegex: return !RE2::FullMatch(v, *regex);
  }
  return false;
}

base::Result<LabelMatcher> MakeLabelMatcher(std::string name, LabelMatcher::Op op, std::string value) {
  LabelMatcher m{std::move(name), op, std::move(value), nullptr};
  if (op == LabelMatcher::Op::kRegex || op == LabelMatcher::Op::kNotRegex) {
    RE2::Options o;
    o.set_log_errors(false);
    auto re = std::make_shared<RE2>(m.value, o);
    if (!re->ok()) return base::InvalidArgument("invalid regex \"" + m.value + "\": " + re->error());
    m.regex = std::move(re);
  }
  return m;
}

bool Predicate::Matches(std::string_view v) const {
  switch (kind) {
    case Kind::kContainsToken: return ContainsToken(v, value, case_insensitive);
    case Kind::kSubstring: return case_insensitive ? IContains(v, value) : v.find(value) != std::string_view::npos;
    case Kind::kNotSubstring:
      return !(case_insensitive ? IContains(v, value) : v.find(value) != std::string_view::npos);
    case Kind::kRegex: return RE2::PartialMatch(v, *regex);
    case Kind::kNotRegex: return !RE2::PartialMatch(v, *regex);
    case Kind::kEquals: return case_insensitive ? IEquals(v, value) : v == value;
    case Kind::kNotEquals: return !(case_insensitive ? IEquals(v, value) : v == value);
    case Kind::kLess:
    case Kind::kLessEqual:
    case Kind::kGreater:
    case Kind::kGreaterEqual: {
      double d;
      if (non_numbers_match) {
        if (v.empty()) return false;
        if (!ParsePlainDecimal(v, &d)) return true;
      } else if (!ParseNumber(v, &d)) {
        return false;
      }
      if (kind == Kind::kLess) return d < number;
      if (kind == Kind::kLessEqual) return d <= number;
      if (kind == Kind::kGreater) return d > number;
      return d >= number;
    }
  }
  return false;
}

base::Result<Predicate> MakePredicate(Predicate::Kind kind, std::string field, std::string value,
                                      bool case_insensitive) {
  Predicate p;
  p.kind = kind;
  p.field = std::move(field);
  p.value = std::move(value);
  p.case_insensitive = case_insensitive;
  switch (kind) {
    case Predicate::Kind::kRegex:
    case Predicate::Kind::kNotRegex: {
      RE2::Options o;
      o.set_log_errors(false);
      o.set_case_sensitive(!case_insensitive);
      auto re = std::make_shared<RE2>(p.value, o);
      if (!re->ok()) return base::InvalidArgument("invalid regex \"" + p.value + "\": " + re->error());
      p.regex = std::move(re);
      break;
    }
    case Predicate::Kind::kLess:
    case Predicate::Kind::kLessEqual:
    case Predicate::Kind::kGreater:
    case Predicate::Kind::kGreaterEqual:
      if (!ParseNumber(p.value, &p.number)) {
        return base::InvalidArgument("comparison with \"" + p.value + "\": not a number");
      }
      break;
    default: break;
  }
  return p;
}

}  // namespace strata::storage
