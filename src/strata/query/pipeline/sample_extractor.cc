// SampleExtractor: the value of one entry for a range aggregation (Loki's rules): 1 per line, the line's bytes
// after the pipeline, or the unwrapped label converted (plain float, duration()/duration_seconds() in seconds,
// bytes()), then the unwrap post-filters, then the unwrapped label removed from the series labels.

#include "strata/query/pipeline/pipeline.h"
#include "strata/query/pipeline/stage.h"
#include "strata/query/pipeline/value_parse.h"

namespace strata::query {

base::Result<SampleExtractor> SampleExtractor::Compile(const RangeAggregation& aggregation) {
  SampleExtractor x;
  ASSIGN_OR_RETURN(x.pipeline_, Pipeline::Compile(aggregation.range.log.stages));
  const auto& unwrap = aggregation.range.unwrap;
  switch (aggregation.op) {
    case RangeOp::kBytesOverTime:
    case RangeOp::kBytesRate:
      if (unwrap) return base::InvalidArgument(std::string("invalid aggregation ") + RangeOpName(aggregation.op) + " with unwrap");
      x.kind_ = Kind::kBytes;
      return x;
    case RangeOp::kCountOverTime:
      if (unwrap) return base::InvalidArgument("invalid aggregation count_over_time with unwrap");
      x.kind_ = Kind::kCount;
      return x;
    case RangeOp::kRate:
    case RangeOp::kAbsentOverTime:
      if (!unwrap) {
        x.kind_ = Kind::kCount;
        return x;
      }
      break;
    default:
      if (!unwrap) {
        return base::InvalidArgument(std::string("invalid aggregation ") + RangeOpName(aggregation.op) +
                                     " without unwrap");
      }
      break;
  }
  x.kind_ = Kind::kUnwrap;
  x.unwrap_ = *unwrap;
  for (const LabelFilter& f : unwrap->post_filters) {
    ASSIGN_OR_RETURN(StagePtr s, MakeLabelFilterStage(f));
    x.post_filters_.push_back(std::move(s));
  }
  return x;
}

bool SampleExtractor::Process(int64_t timestamp_ns, std::string& line, LabelsBuilder& labels, double* value) const {
  if (!pipeline_.Process(timestamp_ns, line, labels)) return false;
  switch (kind_) {
    case Kind::kCount: *value = 1; return true;
    case Kind::kBytes: *value = static_cast<double>(line.size()); return true;
    case Kind::kUnwrap: break;
  }
  std::string_view v = labels.Get(unwrap_->label).value_or(std::string_view());
  // Loki skips lines without the unwrapped label (or with it empty) instead of failing the query.
  if (v.empty()) return false;
  bool ok;
  double d = 0;
  const char* what = "strconv.ParseFloat";
  switch (unwrap_->conversion) {
    case Unwrap::Conversion::kNone: ok = values::ParseGoFloat(v, &d); break;
    case Unwrap::Conversion::kDuration:
    case Unwrap::Conversion::kDurationSeconds: {
      int64_t ns = 0;
      ok = values::ParseGoDuration(v, &ns);
      d = static_cast<double>(ns) / 1e9;
      what = "time.ParseDuration";
      break;
    }
    case Unwrap::Conversion::kBytes: {
      uint64_t b = 0;
      ok = values::ParseHumanBytes(v, &b);
      d = static_cast<double>(b);
      what = "humanize.ParseBytes";
      break;
    }
  }
  if (!ok) {
    d = 0;
    std::string details(what);
    details += ": parsing \"" + std::string(v) + "\": invalid syntax";
    labels.SetError(kSampleExtractionErr, details);
  }
  for (const auto& f : post_filters_) {
    if (!f->Process(timestamp_ns, line, labels)) return false;
  }
  labels.Delete(unwrap_->label);
  *value = d;
  return true;
}

}  // namespace strata::query
