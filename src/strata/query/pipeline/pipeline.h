#pragma once
// Pipeline: the compiled stages of a LogQL log query (`| json | level="error" | line_format "{{.msg}}"`...) and
// the DSL's boolean filter, applied to one entry at a time: line filters, parsers (json, logfmt, regexp, pattern,
// unpack), label filters, line_format / label_format, drop / keep, decolorize. Semantics are Loki's
// (../shared/reference/loki.md §2.4): a failing parser or conversion does not drop the line but sets `__error__`;
// regexes are RE2 (linear time).
//
// Storage pushdown: the line filters (and DSL message conditions) that stand before any stage able to change the
// line are returned as storage Predicates, so the scan prunes blocks by the token index and blooms and evaluates
// them on the raw column; Process() still applies every stage (a pushed-down filter is cheap to recheck).
//
// Sample extraction for metric queries: SampleExtractor runs the pipeline, then takes the sample value (1 per
// line, the line's bytes, or the `unwrap`ped label with its conversion and post-filters) and the series labels
// (the unwrapped label removed).
//
// Thread-safety: a compiled Pipeline is immutable and shareable; Process needs a LabelsBuilder per thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/base/status.h"
#include "strata/query/lang/ast.h"
#include "strata/query/pipeline/labels_builder.h"
#include "strata/storage/scan.h"

namespace strata::query {

class CompiledStage;  // one compiled stage (pipeline/stage.h)

class Pipeline {
 public:
  // InvalidArgument for what the parser could not catch (a bad template, a bad regex).
  static base::Result<Pipeline> Compile(const std::vector<query::Stage>& stages);
  Pipeline() = default;

  // Runs every stage on one entry; false = filtered out. `line` may be rewritten (line_format, unpack,
  // decolorize); labels gain, lose or rename labels.
  bool Process(int64_t timestamp_ns, std::string& line, LabelsBuilder& labels) const;

  // Predicates the storage scan can apply before the pipeline (see above). Empty when nothing is pushable.
  const std::vector<storage::Predicate>& pushdown() const { return pushdown_; }

  // True when no stage can change labels (no parser, label_format, drop, keep): result series = stream labels
  // (+ structured metadata), so executors can skip per-line label work.
  bool labels_unchanged() const { return labels_unchanged_; }
  // True when the scan's evaluation of pushdown() is the whole pipeline: every stage is a line filter pushed down
  // exactly, so Process would keep every row the scan returns, unchanged (executors may skip it).
  bool pushdown_is_exact() const { return pushdown_is_exact_; }
  bool empty() const { return stages_.empty(); }

 private:
  std::vector<std::shared_ptr<const CompiledStage>> stages_;
  std::vector<storage::Predicate> pushdown_;
  bool labels_unchanged_ = true;
  bool pushdown_is_exact_ = true;
};

// For metric queries: the value of each entry surviving the pipeline.
class SampleExtractor {
 public:
  enum class Kind { kCount, kBytes, kUnwrap };
  // kCount for count_over_time/rate/absent_over_time without unwrap, kBytes for bytes_*, kUnwrap with unwrap.
  static base::Result<SampleExtractor> Compile(const RangeAggregation& aggregation);

  // Runs the pipeline and extracts; false when the entry is filtered out. On a conversion failure the entry is
  // kept with `__error__=SampleExtractionErr` (the unwrap post-filters may drop it, e.g. `| __error__=""`).
  // Afterwards `labels` hold the series labels (the unwrapped label removed).
  bool Process(int64_t timestamp_ns, std::string& line, LabelsBuilder& labels, double* value) const;

  const Pipeline& pipeline() const { return pipeline_; }
  Kind kind() const { return kind_; }

 private:
  Pipeline pipeline_;
  Kind kind_ = Kind::kCount;
  std::optional<Unwrap> unwrap_;
  std::vector<std::shared_ptr<const CompiledStage>> post_filters_;
};

}  // namespace strata::query
