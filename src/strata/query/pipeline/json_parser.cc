// The `json` parser (flattening mode and path-extraction mode) and `unpack`, over json_scan.h.

#include <optional>
#include <variant>

#include "strata/query/pipeline/json_scan.h"
#include "strata/query/pipeline/stage.h"
#include "strata/query/pipeline/value_parse.h"

namespace strata::query {

namespace {

// Nesting of objects flattened into label names; deeper lines are a parse error rather than a stack risk.
constexpr int kMaxFlattenDepth = 64;

struct Scratch {
  std::string key;     // unescaped key
  std::string name;    // label name being built
  std::string value;   // unescaped value
  std::vector<std::pair<std::string, std::string>> pending;  // unpack: labels held until `_entry` is seen
  size_t pending_used = 0;
  std::string entry;
};

Scratch& TlsScratch() {
  thread_local Scratch s;
  return s;
}

void SetJsonError(LabelsBuilder& labels, const json::Cursor& c) {
  std::string details = c.error != nullptr ? c.error : "malformed JSON";
  details += " at offset " + std::to_string(c.pos);
  labels.SetError(kJsonParserErr, details);
}

// Renders a scalar string value as Loki does: unescaped, "" when it cannot be unescaped or holds a rune error.
void StringValue(std::string_view raw, bool escaped, std::string& out) {
  out.clear();
  if (escaped) {
    if (!json::Unescape(raw, out)) {
      out.clear();
      return;
    }
  } else {
    out.assign(raw);
  }
  if (json::HasRuneError(out)) out.clear();
}

// ---- `| json` without arguments: flatten nested objects, skip arrays and nulls ---------------------------------

class JsonFlattenStage final : public CompiledStage {
 public:
  bool Process(int64_t, std::string& line, LabelsBuilder& labels) const override {
    labels.BeginStage();
    Scratch& s = TlsScratch();
    s.name.clear();
    json::Cursor c{line};
    c.SkipWs();
    if (c.Peek() != '{') {
      c.Fail(c.AtEnd() ? "empty line: expected a JSON object" : "expected a JSON object");
      SetJsonError(labels, c);
      return true;
    }
    if (!Walk(c, s, labels, 0)) SetJsonError(labels, c);
    return true;
  }
  bool ChangesLabels() const override { return true; }

 private:
  static bool Walk(json::Cursor& c, Scratch& s, LabelsBuilder& labels, int depth) {
    c.Consume('{');
    c.SkipWs();
    if (c.Consume('}')) return true;
    while (true) {
      c.SkipWs();
      std::string_view raw_key;
      bool key_escaped;
      if (!c.String(&raw_key, &key_escaped)) return false;
      std::string_view key = raw_key;
      if (key_escaped) {
        s.key.clear();
        if (!json::Unescape(raw_key, s.key)) return c.Fail("invalid escape in key");
        key = s.key;
      }
      c.SkipWs();
      if (!c.Consume(':')) return c.Fail("expected ':' after object key");
      c.SkipWs();
      const size_t prefix_len = s.name.size();
      auto build_name = [&] {
        if (prefix_len != 0) s.name.push_back('_');
        values::AppendSanitizedKey(key, prefix_len == 0, s.name);
      };
      char v = c.Peek();
      if (v == '{') {
        if (depth + 1 >= kMaxFlattenDepth) return c.Fail("JSON nested too deeply");
        build_name();
        if (!Walk(c, s, labels, depth + 1)) return false;
      } else if (v == '"') {
        std::string_view raw;
        bool escaped;
        if (!c.String(&raw, &escaped)) return false;
        build_name();
        StringValue(raw, escaped, s.value);
        if (s.name.size() > prefix_len) labels.Set(LabelSource::kParsed, s.name, s.value, false);
      } else if (v == 't' || v == 'f' || v == '-' || (v >= '0' && v <= '9')) {
        std::string_view text;
        if (!c.SkipValue(&text)) return false;
        build_name();
        if (s.name.size() > prefix_len) labels.Set(LabelSource::kParsed, s.name, text, false);
      } else {
        if (!c.SkipValue()) return false;  // arrays and null: skipped
      }
      s.name.resize(prefix_len);
      c.SkipWs();
      if (c.Consume(',')) continue;
      if (c.Consume('}')) return true;
      return c.Fail("expected ',' or '}' in object");
    }
  }
};

// ---- `| json a="b.c[0]", d`: path extraction ---------------------------------------------------------------------

struct PathStep {
  bool is_index = false;
  std::string key;
  size_t index = 0;
};

struct JsonPath {
  std::string label;
  std::vector<PathStep> steps;
};

base::Result<std::vector<PathStep>> ParsePath(std::string_view expr) {
  std::vector<PathStep> steps;
  auto bad = [&](const char* why) {
    return base::InvalidArgument("cannot parse expression [" + std::string(expr) + "]: " + why);
  };
  size_t i = 0;
  bool expect_field = true;  // at the start or after '.'
  while (i < expr.size()) {
    char c = expr[i];
    if (c == '[') {
      ++i;
      if (i < expr.size() && expr[i] == '"') {
        ++i;
        std::string key;
        while (i < expr.size() && expr[i] != '"') {
          if (expr[i] == '\\' && i + 1 < expr.size()) ++i;
          key.push_back(expr[i++]);
        }
        if (i >= expr.size()) return bad("unterminated string");
        ++i;
        steps.push_back({false, std::move(key), 0});
      } else {
        size_t n = 0;
        size_t digits = 0;
        while (i < expr.size() && expr[i] >= '0' && expr[i] <= '9') {
          n = n * 10 + static_cast<size_t>(expr[i] - '0');
          if (++digits > 9) return bad("index too large");
          ++i;
        }
        if (digits == 0) return bad("expected an index or a quoted key");
        steps.push_back({true, {}, n});
      }
      if (i >= expr.size() || expr[i] != ']') return bad("expected ']'");
      ++i;
      expect_field = false;
      continue;
    }
    if (c == '.') {
      if (expect_field) return bad("unexpected '.'");
      ++i;
      expect_field = true;
      continue;
    }
    if (!expect_field && !steps.empty()) return bad("expected '.' or '['");
    size_t start = i;
    while (i < expr.size() && expr[i] != '.' && expr[i] != '[') ++i;
    steps.push_back({false, std::string(expr.substr(start, i - start)), 0});
    expect_field = false;
  }
  if (steps.empty() || expect_field) return bad("empty path");
  return steps;
}

class JsonExtractStage final : public CompiledStage {
 public:
  explicit JsonExtractStage(std::vector<JsonPath> paths) : paths_(std::move(paths)) {}

  bool Process(int64_t, std::string& line, LabelsBuilder& labels) const override {
    labels.BeginStage();
    if (line.empty()) return true;
    Scratch& s = TlsScratch();
    json::Cursor start{line};
    start.SkipWs();
    char first = start.Peek();
    if (first != '{' && first != '[' && first != '"') {
      start.Fail("expected a JSON value");
      SetJsonError(labels, start);
      return true;
    }
    bool failed = false;
    for (const JsonPath& p : paths_) {
      json::Cursor c = start;
      std::string_view raw;
      int found = failed ? 0 : Find(c, p.steps, &raw);
      if (found < 0) {
        failed = true;
        SetJsonError(labels, c);
      }
      if (found > 0) {
        Render(raw, s.value);
        labels.Set(LabelSource::kParsed, p.label, s.value, false);
      } else if (!labels.Has(p.label)) {
        labels.Set(LabelSource::kParsed, p.label, "", false);  // a missing path still yields the label
      }
    }
    return true;
  }
  bool ChangesLabels() const override { return true; }

 private:
  // 1 found (raw = the value's text), 0 missing, -1 malformed.
  static int Find(json::Cursor& c, const std::vector<PathStep>& steps, std::string_view* raw) {
    Scratch& s = TlsScratch();
    for (const PathStep& step : steps) {
      c.SkipWs();
      char open = c.Peek();
      if (step.is_index ? open != '[' : open != '{') {
        return c.SkipValue() ? 0 : -1;
      }
      ++c.pos;
      c.SkipWs();
      if (c.Consume(step.is_index ? ']' : '}')) return 0;
      size_t i = 0;
      while (true) {
        c.SkipWs();
        bool match;
        if (step.is_index) {
          match = i++ == step.index;
        } else {
          std::string_view k;
          bool esc;
          if (!c.String(&k, &esc)) return -1;
          if (esc) {
            s.key.clear();
            if (!json::Unescape(k, s.key)) return c.Fail("invalid escape in key"), -1;
            match = s.key == step.key;
          } else {
            match = k == step.key;
          }
          c.SkipWs();
          if (!c.Consume(':')) return c.Fail("expected ':' after object key"), -1;
        }
        if (match) break;  // descend into this value
        if (!c.SkipValue()) return -1;
        c.SkipWs();
        if (c.Consume(',')) continue;
        if (c.Consume(step.is_index ? ']' : '}')) return 0;
        return c.Fail("expected ',' or a closing bracket"), -1;
      }
    }
    c.SkipWs();
    return c.SkipValue(raw) ? 1 : -1;
  }

  // Strings unescaped, null as "", numbers/booleans/objects/arrays as their JSON text.
  static void Render(std::string_view raw, std::string& out) {
    if (raw == "null") {
      out.clear();
    } else if (!raw.empty() && raw[0] == '"') {
      StringValue(raw.substr(1, raw.size() - 2), raw.find('\\') != std::string_view::npos, out);
    } else {
      out.assign(raw);
    }
  }

  std::vector<JsonPath> paths_;
};

// ---- `| unpack` --------------------------------------------------------------------------------------------------

class UnpackStage final : public CompiledStage {
 public:
  bool Process(int64_t, std::string& line, LabelsBuilder& labels) const override {
    labels.BeginStage();
    if (line.empty()) return true;
    Scratch& s = TlsScratch();
    s.pending_used = 0;
    bool packed = false;
    json::Cursor c{line};
    c.SkipWs();
    if (c.Peek() != '{') {
      c.Fail("expecting json object, but it is not");
      SetJsonError(labels, c);
      return true;
    }
    ++c.pos;
    c.SkipWs();
    if (!c.Consume('}')) {
      while (true) {
        c.SkipWs();
        std::string_view raw_key;
        bool key_escaped;
        if (!c.String(&raw_key, &key_escaped)) return Fail(labels, c);
        s.key.clear();
        if (key_escaped ? !json::Unescape(raw_key, s.key) : (s.key.assign(raw_key), false)) {
          c.Fail("invalid escape in key");
          return Fail(labels, c);
        }
        c.SkipWs();
        if (!c.Consume(':')) {
          c.Fail("expected ':' after object key");
          return Fail(labels, c);
        }
        c.SkipWs();
        if (c.Peek() == '"') {
          std::string_view raw;
          bool escaped;
          if (!c.String(&raw, &escaped)) return Fail(labels, c);
          if (s.key == "_entry") {
            s.entry.clear();
            if (escaped ? !json::Unescape(raw, s.entry) : (s.entry.assign(raw), false)) {
              c.Fail("invalid escape in _entry");
              return Fail(labels, c);
            }
            packed = true;
          } else {
            if (s.pending_used == s.pending.size()) s.pending.emplace_back();
            auto& [name, value] = s.pending[s.pending_used++];
            name.clear();
            values::AppendSanitizedKey(s.key, true, name);
            StringValue(raw, escaped, value);
            if (name.empty()) --s.pending_used;
          }
        } else if (!c.SkipValue()) {
          return Fail(labels, c);  // only string members become labels
        }
        c.SkipWs();
        if (c.Consume(',')) continue;
        if (c.Consume('}')) break;
        c.Fail("expected ',' or '}' in object");
        return Fail(labels, c);
      }
    }
    // Loki adds the labels only to lines that were packed (hold `_entry`).
    if (packed) {
      for (size_t i = 0; i < s.pending_used; ++i) {
        labels.Set(LabelSource::kParsed, s.pending[i].first, s.pending[i].second, false);
      }
      line.swap(s.entry);
    }
    return true;
  }
  bool ChangesLine() const override { return true; }
  bool ChangesLabels() const override { return true; }

 private:
  static bool Fail(LabelsBuilder& labels, const json::Cursor& c) {
    SetJsonError(labels, c);
    return true;
  }
};

}  // namespace

base::Result<StagePtr> MakeJsonParserStage(const ParserStage& stage) {
  if (stage.extractions.empty()) return StagePtr(std::make_shared<JsonFlattenStage>());
  std::vector<JsonPath> paths;
  for (const Extraction& e : stage.extractions) {
    ASSIGN_OR_RETURN(auto steps, ParsePath(e.expression ? *e.expression : e.label));
    paths.push_back({e.label, std::move(steps)});
  }
  return StagePtr(std::make_shared<JsonExtractStage>(std::move(paths)));
}

base::Result<StagePtr> MakeUnpackStage() { return StagePtr(std::make_shared<UnpackStage>()); }

}  // namespace strata::query
