// The `logfmt` parser: go-logfmt's grammar (key = bytes above ' ' except '=' and '"'; value bare or double-quoted
// with JSON-style escapes), Loki's rules on top: --strict stops at the first bad pair with LogfmtParserErr, the
// default skips bad pairs; empty values (`k=` and standalone `k`) are dropped unless --keep-empty or requested by
// an extraction; with extractions only the requested keys are kept and scanning stops once all were seen.

#include <string>

#include "strata/query/pipeline/json_scan.h"
#include "strata/query/pipeline/stage.h"
#include "strata/query/pipeline/value_parse.h"

namespace strata::query {

namespace {

struct Pair {
  std::string_view key;
  std::string_view value;  // raw: quotes removed, escapes kept
  bool escaped = false;
};

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  enum class Step { kPair, kBad, kEnd };

  Step Next(Pair* p) {
    while (pos_ < s_.size() && static_cast<unsigned char>(s_[pos_]) <= ' ') ++pos_;
    if (pos_ >= s_.size()) return Step::kEnd;
    size_t start = pos_;
    while (pos_ < s_.size() && IsKeyChar(s_[pos_])) ++pos_;
    p->key = s_.substr(start, pos_ - start);
    p->value = {};
    p->escaped = false;
    if (p->key.empty()) return Bad(s_[pos_] == '=' ? "unexpected '='" : "unexpected '\"'");
    if (pos_ >= s_.size() || static_cast<unsigned char>(s_[pos_]) <= ' ') return Step::kPair;  // standalone key
    if (s_[pos_] == '"') return Bad("unexpected '\"'");
    ++pos_;  // '='
    if (pos_ >= s_.size() || static_cast<unsigned char>(s_[pos_]) <= ' ') return Step::kPair;  // `k=`
    if (s_[pos_] == '"') {
      size_t vstart = ++pos_;
      while (pos_ < s_.size() && s_[pos_] != '"') {
        if (s_[pos_] == '\\') {
          p->escaped = true;
          ++pos_;
        }
        ++pos_;
      }
      if (pos_ >= s_.size()) return Bad("unterminated quoted value");
      p->value = s_.substr(vstart, pos_ - vstart);
      ++pos_;
      if (pos_ < s_.size() && static_cast<unsigned char>(s_[pos_]) > ' ') return Bad("unexpected character after quoted value");
      return Step::kPair;
    }
    size_t vstart = pos_;
    while (pos_ < s_.size() && static_cast<unsigned char>(s_[pos_]) > ' ') {
      if (s_[pos_] == '=' || s_[pos_] == '"') return Bad(s_[pos_] == '=' ? "unexpected '='" : "unexpected '\"'");
      ++pos_;
    }
    p->value = s_.substr(vstart, pos_ - vstart);
    return Step::kPair;
  }

  const char* error() const { return error_; }
  size_t error_pos() const { return error_pos_; }

 private:
  static bool IsKeyChar(char c) { return static_cast<unsigned char>(c) > ' ' && c != '=' && c != '"'; }

  Step Bad(const char* what) {
    error_ = what;
    error_pos_ = pos_;
    // Best effort resynchronisation: the bad pair ends at the next whitespace.
    while (pos_ < s_.size() && static_cast<unsigned char>(s_[pos_]) > ' ') ++pos_;
    return Step::kBad;
  }

  std::string_view s_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
  size_t error_pos_ = 0;
};

struct Scratch {
  std::string name;
  std::string value;
  std::vector<uint8_t> found;
};

Scratch& TlsScratch() {
  thread_local Scratch s;
  return s;
}

// The value as a label value; false when its escapes are invalid (a bad pair).
bool DecodeValue(const Pair& p, std::string& out) {
  out.clear();
  if (p.escaped) {
    if (!json::Unescape(p.value, out)) return false;
  } else {
    out.assign(p.value);
  }
  if (json::HasRuneError(out)) out.clear();
  return true;
}

struct LogfmtExtraction {
  std::string label;
  std::string key;  // the (sanitised) logfmt key it reads
};

class LogfmtStage final : public CompiledStage {
 public:
  LogfmtStage(bool strict, bool keep_empty, std::vector<LogfmtExtraction> extractions)
      : strict_(strict), keep_empty_(keep_empty), extractions_(std::move(extractions)) {}

  bool Process(int64_t, std::string& line, LabelsBuilder& labels) const override {
    labels.BeginStage();
    Scratch& s = TlsScratch();
    size_t remaining = extractions_.size();
    if (!extractions_.empty()) {
      s.found.assign(extractions_.size(), 0);
      for (const auto& e : extractions_) {
        // A requested key always yields its label (unless a stream/metadata label of that name exists).
        if (!labels.Has(e.label)) labels.Set(LabelSource::kParsed, e.label, "", true);
      }
    }
    Scanner scanner(line);
    Pair p;
    while (true) {
      Scanner::Step step = scanner.Next(&p);
      if (step == Scanner::Step::kEnd) break;
      if (step == Scanner::Step::kPair && !DecodeValue(p, s.value)) {
        step = Scanner::Step::kBad;
      }
      if (step == Scanner::Step::kBad) {
        if (strict_) {
          std::string details = "logfmt syntax error at pos " + std::to_string(scanner.error_pos() + 1) + " : " +
                                (scanner.error() != nullptr ? scanner.error() : "invalid quoted value");
          labels.SetError(kLogfmtParserErr, details);
          return true;
        }
        continue;
      }
      s.name.clear();
      values::AppendSanitizedKey(p.key, true, s.name);
      if (s.name.empty()) continue;
      if (extractions_.empty()) {
        if (!keep_empty_ && s.value.empty()) continue;
        labels.Set(LabelSource::kParsed, s.name, s.value, false);
        continue;
      }
      for (size_t i = 0; i < extractions_.size(); ++i) {
        if (s.found[i] || extractions_[i].key != s.name) continue;
        s.found[i] = 1;
        --remaining;
        // Replaces the "" placeholder set above; a repeated key keeps its first value (found[]).
        labels.Set(LabelSource::kParsed, extractions_[i].label, s.value, true);
      }
      if (remaining == 0) break;
    }
    return true;
  }
  bool ChangesLabels() const override { return true; }

 private:
  bool strict_;
  bool keep_empty_;
  std::vector<LogfmtExtraction> extractions_;
};

}  // namespace

base::Result<StagePtr> MakeLogfmtParserStage(const ParserStage& stage) {
  std::vector<LogfmtExtraction> ex;
  for (const Extraction& e : stage.extractions) {
    std::string key;
    values::AppendSanitizedKey(e.expression ? *e.expression : e.label, true, key);
    if (key.empty()) return base::InvalidArgument("cannot parse expression [" + e.expression.value_or("") + "]");
    ex.push_back({e.label, std::move(key)});
  }
  return StagePtr(std::make_shared<LogfmtStage>(stage.strict, stage.keep_empty, std::move(ex)));
}

}  // namespace strata::query
