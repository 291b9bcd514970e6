// The template stages: line_format and label_format (GoTemplate, Loki's text/template subset).

#include <algorithm>
#include <optional>

#include "strata/query/pipeline/stage.h"
#include "strata/query/template/go_template.h"

namespace strata::query {

namespace {

TemplateInput InputFor(const LabelsBuilder& labels, std::string_view line, int64_t ts) {
  TemplateInput in;
  in.label = [&labels](std::string_view name) { return labels.Get(name); };
  in.line = line;
  in.timestamp_ns = ts;
  return in;
}

// ---- line_format -------------------------------------------------------------------------------------------------

class LineFormat final : public CompiledStage {
 public:
  explicit LineFormat(GoTemplate t) : tmpl_(std::move(t)) {}
  bool Process(int64_t ts, std::string& line, LabelsBuilder& labels) const override {
    auto out = tmpl_.Execute(InputFor(labels, line, ts));
    if (!out.ok()) {
      labels.SetError(kTemplateFormatErr, out.status().message());
      return true;  // the line is kept unchanged
    }
    line = std::move(out).value();
    return true;
  }
  bool ChangesLine() const override { return true; }
  bool ChangesLabels() const override { return true; }  // TemplateFormatErr

 private:
  GoTemplate tmpl_;
};

// ---- label_format ------------------------------------------------------------------------------------------------

struct FormatItem {
  std::string dst;
  std::string src;                  // rename
  std::optional<GoTemplate> tmpl;   // template
};

class LabelFormat final : public CompiledStage {
 public:
  LabelFormat(std::vector<FormatItem> items, bool snapshot) : items_(std::move(items)), snapshot_(snapshot) {}

  bool Process(int64_t ts, std::string& line, LabelsBuilder& labels) const override {
    thread_local std::string value;
    thread_local model::LabelSet before;
    // Templates see the labels as they were when the stage started (a rename earlier in the list does not hide
    // its source from a later template).
    TemplateInput in;
    if (snapshot_) {
      before = labels.All();
      in.label = [](std::string_view name) -> std::optional<std::string_view> {
        auto it = std::lower_bound(before.begin(), before.end(), name,
                                   [](const model::Field& f, std::string_view n) { return f.name < n; });
        if (it == before.end() || it->name != name) return std::nullopt;
        return std::string_view(it->value);
      };
      in.line = line;
      in.timestamp_ns = ts;
    } else {
      in = InputFor(labels, line, ts);
    }
    for (const FormatItem& item : items_) {
      if (!item.tmpl) {
        auto source = labels.SourceOf(item.src);
        if (!source) continue;
        value.assign(*labels.Get(item.src));  // copied: deleting the source invalidates the view
        labels.Delete(item.src);
        labels.Replace(*source, item.dst, value);
        continue;
      }
      auto out = item.tmpl->Execute(in);
      if (!out.ok()) {
        labels.SetError(kTemplateFormatErr, out.status().message());
        continue;
      }
      labels.Replace(LabelSource::kParsed, item.dst, *out);
    }
    return true;
  }
  bool ChangesLabels() const override { return true; }

 private:
  std::vector<FormatItem> items_;
  bool snapshot_;
};

}  // namespace

base::Result<StagePtr> MakeLineFormatStage(const LineFormatStage& stage) {
  auto t = GoTemplate::Compile(stage.tmpl);
  if (!t.ok()) return t.status();
  return StagePtr(std::make_shared<LineFormat>(std::move(t).value()));
}

base::Result<StagePtr> MakeLabelFormatStage(const LabelFormatStage& stage) {
  std::vector<FormatItem> items;
  bool seen_rename = false, snapshot = false;
  for (const LabelFormatItem& it : stage.items) {
    FormatItem f;
    f.dst = it.dst;
    if (it.is_template) {
      auto t = GoTemplate::Compile(it.value);
      if (!t.ok()) return t.status();
      f.tmpl = std::move(t).value();
      snapshot |= seen_rename || items.size() > 0;
    } else {
      f.src = it.value;
      seen_rename = true;
    }
    items.push_back(std::move(f));
  }
  return StagePtr(std::make_shared<LabelFormat>(std::move(items), snapshot));
}

}  // namespace strata::query
