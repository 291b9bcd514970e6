#include "strata/query/pipeline/pattern_matcher.h"

namespace strata::query {

namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

base::Result<PatternMatcher> PatternMatcher::Compile(std::string_view p, bool require_named) {
  PatternMatcher m;
  auto add_literal = [&](std::string_view text) {
    if (text.empty()) return;
    if (!m.nodes_.empty() && !m.nodes_.back().capture) {
      m.nodes_.back().text.append(text);
    } else {
      m.nodes_.push_back({false, false, std::string(text)});
    }
  };
  size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '<') {
      size_t j = i + 1;
      if (j < p.size() && IsNameStart(p[j])) {
        while (j < p.size() && IsNameChar(p[j])) ++j;
        if (j < p.size() && p[j] == '>') {
          std::string_view name = p.substr(i + 1, j - i - 1);
          if (!m.nodes_.empty() && m.nodes_.back().capture) {
            return base::InvalidArgument("invalid pattern \"" + std::string(p) +
                                         "\": found consecutive capture " + std::string(name));
          }
          bool named = name != "_";
          m.nodes_.push_back({true, named, std::string(name)});
          if (named) m.names_.emplace_back(name);
          i = j + 1;
          continue;
        }
      }
    }
    size_t next = p.find('<', i + 1);
    if (next == std::string_view::npos) next = p.size();
    add_literal(p.substr(i, next - i));
    i = next;
  }
  if (require_named && m.names_.empty()) {
    return base::InvalidArgument("invalid pattern \"" + std::string(p) + "\": at least one capture is required");
  }
  return m;
}

void PatternMatcher::Extract(std::string_view in, std::vector<std::string_view>& captures) const {
  captures.clear();
  if (in.empty() || nodes_.empty()) return;
  size_t k = 0;
  if (!nodes_[0].capture) {
    if (!in.starts_with(nodes_[0].text)) return;
    in.remove_prefix(nodes_[0].text.size());
    k = 1;
  }
  // From here nodes alternate capture, literal, capture, ... (Compile merges literals, rejects adjacent captures).
  while (k < nodes_.size()) {
    const Node& cap = nodes_[k];
    if (k + 1 == nodes_.size()) {
      if (cap.named) captures.push_back(in);
      return;
    }
    const std::string& lit = nodes_[k + 1].text;
    k += 2;
    size_t at = in.find(lit);
    if (at == std::string_view::npos) {
      if (cap.named) captures.push_back(in);
      return;
    }
    if (cap.named) captures.push_back(in.substr(0, at));
    in.remove_prefix(at + lit.size());
  }
}

bool PatternMatcher::Test(std::string_view in) const {
  if (nodes_.empty()) return in.empty();
  size_t off = 0;
  for (size_t k = 0; k < nodes_.size(); ++k) {
    const Node& n = nodes_[k];
    if (n.capture) continue;
    if (k == 0) {
      if (!in.starts_with(n.text)) return false;
      if (nodes_.size() == 1) return in.size() == n.text.size();
      off = n.text.size();
      continue;
    }
    if (k + 1 == nodes_.size()) {
      // The trailing literal is anchored at the end; the capture before it must keep at least one byte.
      return in.size() >= off + 1 + n.text.size() && in.ends_with(n.text);
    }
    size_t at = in.find(n.text, off);
    if (at == std::string_view::npos) return false;
    if (at == off) return false;  // the capture before this literal would be empty
    off = at + n.text.size();
  }
  // Ending on a literal: nothing may remain. Ending on a capture: it must not be empty.
  bool ends_with_capture = nodes_.back().capture;
  return ends_with_capture ? off < in.size() : off == in.size();
}

}  // namespace strata::query
