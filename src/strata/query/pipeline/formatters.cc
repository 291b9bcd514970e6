// Stages that rewrite labels or the line without templates: decolorize, drop, keep.

#include <re2/re2.h>

#include <optional>

#include "strata/query/pipeline/stage.h"

namespace strata::query {

namespace {

// ---- decolorize --------------------------------------------------------------------------------------------------

// Length of the ANSI escape sequence at s[i] (ESC or the 8-bit CSI U+009B), 0 when there is none: CSI (ESC [ params
// intermediates final), OSC (ESC ] ... BEL or ESC \), and two-byte ESC sequences.
size_t EscapeLength(std::string_view s, size_t i) {
  size_t n = s.size();
  size_t j;
  if (s[i] == '\x1b') {
    if (i + 1 >= n) return 1;
    char c = s[i + 1];
    if (c == '[') {
      j = i + 2;
    } else if (c == ']') {
      for (j = i + 2; j < n; ++j) {
        if (s[j] == '\x07') return j + 1 - i;
        if (s[j] == '\x1b' && j + 1 < n && s[j + 1] == '\\') return j + 2 - i;
      }
      return n - i;
    } else if (static_cast<unsigned char>(c) >= 0x40 && static_cast<unsigned char>(c) <= 0x5f) {
      return 2;
    } else if (c == '(' || c == ')' || c == '#') {
      return i + 2 < n ? 3 : n - i;  // charset designation: ESC ( B
    } else {
      return 1;
    }
  } else if (s[i] == '\xc2' && i + 1 < n && s[i + 1] == '\x9b') {
    j = i + 2;
  } else {
    return 0;
  }
  while (j < n && static_cast<unsigned char>(s[j]) >= 0x30 && static_cast<unsigned char>(s[j]) <= 0x3f) ++j;
  while (j < n && static_cast<unsigned char>(s[j]) >= 0x20 && static_cast<unsigned char>(s[j]) <= 0x2f) ++j;
  if (j < n && static_cast<unsigned char>(s[j]) >= 0x40 && static_cast<unsigned char>(s[j]) <= 0x7e) ++j;
  return j - i;
}

class Decolorize final : public CompiledStage {
 public:
  bool Process(int64_t, std::string& line, LabelsBuilder&) const override {
    size_t first = line.find_first_of("\x1b\xc2");
    if (first == std::string::npos) return true;
    size_t out = first;
    size_t i = first;
    while (i < line.size()) {
      size_t len = EscapeLength(line, i);
      if (len > 0) {
        i += len;
      } else {
        line[out++] = line[i++];
      }
    }
    line.resize(out);
    return true;
  }
  bool ChangesLine() const override { return true; }
};

// ---- drop / keep -------------------------------------------------------------------------------------------------

struct NamedMatcher {
  std::string name;
  std::optional<Matcher> matcher;
  std::unique_ptr<RE2> re;

  // A bare name always applies; a matcher applies when the label's value matches it.
  bool Applies(std::string_view value) const {
    if (!matcher) return true;
    switch (matcher->op) {
      case MatchOp::kEq: return value == matcher->value;
      case MatchOp::kNeq: return value != matcher->value;
      case MatchOp::kRegex: return RE2::FullMatch(value, *re);
      case MatchOp::kNotRegex: return !RE2::FullMatch(value, *re);
    }
    return false;
  }
};

base::Result<std::vector<NamedMatcher>> CompileNamed(const std::vector<NamedLabel>& labels) {
  std::vector<NamedMatcher> out;
  for (const NamedLabel& l : labels) {
    NamedMatcher m{l.name, l.matcher, nullptr};
    if (l.matcher && (l.matcher->op == MatchOp::kRegex || l.matcher->op == MatchOp::kNotRegex)) {
      RE2::Options o;
      o.set_log_errors(false);
      m.re = std::make_unique<RE2>(l.matcher->value, o);
      if (!m.re->ok()) return base::InvalidArgument("invalid regex \"" + l.matcher->value + "\": " + m.re->error());
    }
    if (l.matcher) m.name = l.matcher->name;
    out.push_back(std::move(m));
  }
  return out;
}

class Drop final : public CompiledStage {
 public:
  explicit Drop(std::vector<NamedMatcher> m) : matchers_(std::move(m)) {}
  bool Process(int64_t, std::string&, LabelsBuilder& labels) const override {
    for (const NamedMatcher& m : matchers_) {
      auto v = labels.Get(m.name);
      if (v && m.Applies(*v)) labels.Delete(m.name);
    }
    return true;
  }
  bool ChangesLabels() const override { return true; }

 private:
  std::vector<NamedMatcher> matchers_;
};

class Keep final : public CompiledStage {
 public:
  explicit Keep(std::vector<NamedMatcher> m) : matchers_(std::move(m)) {}
  bool Process(int64_t, std::string&, LabelsBuilder& labels) const override {
    labels.RetainIf([this](std::string_view name, std::string_view value) {
      if (name == kErrorLabel || name == kErrorDetailsLabel) return true;
      for (const NamedMatcher& m : matchers_) {
        if (m.name == name && m.Applies(value)) return true;
      }
      return false;
    });
    return true;
  }
  bool ChangesLabels() const override { return true; }

 private:
  std::vector<NamedMatcher> matchers_;
};

}  // namespace

base::Result<StagePtr> MakeDecolorizeStage() { return StagePtr(std::make_shared<Decolorize>()); }

base::Result<StagePtr> MakeDropStage(const DropStage& stage) {
  ASSIGN_OR_RETURN(auto m, CompileNamed(stage.labels));
  return StagePtr(std::make_shared<Drop>(std::move(m)));
}

base::Result<StagePtr> MakeKeepStage(const KeepStage& stage) {
  ASSIGN_OR_RETURN(auto m, CompileNamed(stage.labels));
  return StagePtr(std::make_shared<Keep>(std::move(m)));
}

}  // namespace strata::query
