#pragma once
// CompiledStage: one compiled step of a Pipeline (pipeline.h). Each AST stage kind compiles to one implementation in its
// own file (line_filter.cc, json_parser.cc, logfmt_parser.cc, regexp_parser.cc, pattern_parser.cc,
// label_filter.cc, formatters.cc, bool_filter.cc); CompileStage dispatches.
//
// Process returns false to drop the entry; it may rewrite `line` and the labels. Compiled stages are immutable and
// shared between threads: per-call scratch space is thread_local inside the implementations, never a member.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strata/base/status.h"
#include "strata/query/lang/ast.h"
#include "strata/query/pipeline/labels_builder.h"
#include "strata/storage/scan.h"

namespace strata::query {

class CompiledStage {
 public:
  virtual ~CompiledStage() = default;
  virtual bool Process(int64_t timestamp_ns, std::string& line, LabelsBuilder& labels) const = 0;

  // May this stage replace the line (line_format, unpack, decolorize)? Line filters after it see another text,
  // so nothing behind it is pushed down to storage.
  virtual bool ChangesLine() const { return false; }
  // May this stage add, remove or rename labels (including setting __error__)?
  virtual bool ChangesLabels() const { return false; }
  // Storage predicates implied by this stage on an unchanged line (appended to `out`); none by default.
  virtual void Pushdown(std::vector<storage::Predicate>& out) const { (void)out; }
  // Do the predicates of Pushdown() keep exactly the lines this stage keeps (and it changes nothing)?
  virtual bool PushedDownExactly() const { return false; }
};

using StagePtr = std::shared_ptr<const CompiledStage>;

base::Result<StagePtr> CompileStage(const query::Stage& stage);

// One factory per stage family (each in its own .cc).
base::Result<StagePtr> MakeLineFilterStage(const LineFilterStage& stage);
base::Result<StagePtr> MakeJsonParserStage(const ParserStage& stage);
base::Result<StagePtr> MakeUnpackStage();
base::Result<StagePtr> MakeLogfmtParserStage(const ParserStage& stage);
base::Result<StagePtr> MakeRegexpParserStage(const ParserStage& stage);
base::Result<StagePtr> MakePatternParserStage(const ParserStage& stage);
base::Result<StagePtr> MakeLabelFilterStage(const LabelFilter& filter);
base::Result<StagePtr> MakeLineFormatStage(const LineFormatStage& stage);
base::Result<StagePtr> MakeLabelFormatStage(const LabelFormatStage& stage);
base::Result<StagePtr> MakeDecolorizeStage();
base::Result<StagePtr> MakeDropStage(const DropStage& stage);
base::Result<StagePtr> MakeKeepStage(const KeepStage& stage);
base::Result<StagePtr> MakeBoolFilterStage(const BoolFilterStage& stage);

// Error label values (Loki's).
inline constexpr const char* kErrorLabel = "__error__";
inline constexpr const char* kErrorDetailsLabel = "__error_details__";
inline constexpr const char* kJsonParserErr = "JSONParserErr";
inline constexpr const char* kLogfmtParserErr = "LogfmtParserErr";
inline constexpr const char* kLabelFilterErr = "LabelFilterErr";
inline constexpr const char* kTemplateFormatErr = "TemplateFormatErr";
inline constexpr const char* kSampleExtractionErr = "SampleExtractionErr";

}  // namespace strata::query
