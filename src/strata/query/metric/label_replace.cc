#include "strata/query/metric/label_replace.h"

#include <re2/re2.h>

#include <string>
#include <vector>

namespace strata::query::metric::internal {

namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsLabelName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!IsWordChar(c)) return false;
  }
  return true;
}

// Go's Regexp.Expand: `$$` is a dollar; `$name`/`${name}` is a group by number (all digits) or by name, the
// empty string when it did not participate or does not exist; `$name` takes the longest run of word
// characters, so `$1x` is the (missing) group "1x". A `$` that starts no valid reference is copied as is.
std::string Expand(const RE2& re, std::string_view tmpl, const std::vector<re2::StringPiece>& groups) {
  std::string out;
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) {
      out += tmpl;
      break;
    }
    out += tmpl.substr(0, dollar);
    tmpl.remove_prefix(dollar);
    if (tmpl.size() > 1 && tmpl[1] == '$') {
      out += '$';
      tmpl.remove_prefix(2);
      continue;
    }
    bool brace = tmpl.size() > 1 && tmpl[1] == '{';
    std::string_view rest = tmpl.substr(brace ? 2 : 1);
    size_t len = 0;
    while (len < rest.size() && IsWordChar(rest[len])) ++len;
    bool ok = len > 0 && (!brace || (len < rest.size() && rest[len] == '}'));
    if (!ok) {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    std::string name(rest.substr(0, len));
    tmpl = rest.substr(len + (brace ? 1 : 0));
    int num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    if (num < 0) {
      auto it = re.NamedCapturingGroups().find(name);
      if (it != re.NamedCapturingGroups().end()) num = it->second;
    }
    if (num >= 0 && size_t(num) < groups.size() && groups[size_t(num)].data() != nullptr) {
      out.append(groups[size_t(num)].data(), groups[size_t(num)].size());
    }
  }
  return out;
}

}  // namespace

base::Result<StepMatrix> LabelReplace(const LabelReplaceExpr& node, const StepMatrix& in) {
  if (!IsLabelName(node.dst)) {
    return base::InvalidArgument("invalid destination label name in label_replace(): " + node.dst);
  }
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re("^(?:" + node.regex + ")$", options);
  if (!re.ok()) return base::InvalidArgument("invalid regular expression in label_replace(): " + re.error());

  StepMatrix out(in.step_count());
  std::vector<uint32_t> new_id(in.series_count());
  std::vector<re2::StringPiece> groups(size_t(re.NumberOfCapturingGroups()) + 1);
  for (uint32_t id = 0; id < in.series_count(); ++id) {
    model::LabelSet labels = in.labels(id);
    std::string src(LabelValue(labels, node.src));
    if (re.Match(src, 0, src.size(), RE2::ANCHOR_BOTH, groups.data(), int(groups.size()))) {
      SetLabel(labels, node.dst, Expand(re, node.replacement, groups));
    }
    new_id[id] = out.Intern(labels);
  }
  std::vector<uint64_t> seen_at(out.series_count(), 0);
  for (size_t i = 0; i < in.step_count(); ++i) {
    for (const Sample& s : in.step(i)) {
      uint32_t id = new_id[s.id];
      if (seen_at[id] == i + 1) {
        return base::InvalidArgument("vector cannot contain metrics with the same labelset");
      }
      seen_at[id] = i + 1;
      out.step(i).push_back({id, s.v});
    }
  }
  return out;
}

}  // namespace strata::query::metric::internal
