// libFuzzer target: DecodeNdjsonBody on arbitrary bytes. Asserts: never a body-level error unless the body is
// blank; every non-blank line yields exactly one record or one rejection, and rejections carry unique, in-range
// line numbers; records are in canonical form and within the limits.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "strata/ingest/native/native_decoder.h"

namespace {

using strata::ingest::native::DecodeOptions;
using strata::ingest::native::DecodeResult;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Lines as the decoder splits them: on \n, a last line without \n included.
void CountLines(std::string_view body, size_t& lines, size_t& non_blank) {
  lines = non_blank = 0;
  while (!body.empty()) {
    const size_t nl = body.find('\n');
    const std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    ++lines;
    if (!IsBlank(line)) ++non_blank;
  }
}

void CheckRecords(const DecodeResult& result, size_t lines, size_t non_blank, const DecodeOptions& options) {
  Check(result.records.size() + result.rejected.size() <= lines, "more outcomes than lines");
  Check(result.records.size() + result.rejected.size() == non_blank, "a non-blank line was lost or doubled");
  std::set<size_t> seen;
  for (const auto& r : result.rejected) {
    Check(seen.insert(r.index).second, "duplicate rejection index");
    Check(r.index < lines, "rejection index out of range");
    Check(!r.reason.empty(), "empty rejection reason");
  }
  for (const auto& rec : result.records) {
    for (size_t i = 1; i < rec.labels.size(); ++i) Check(rec.labels[i - 1].name < rec.labels[i].name, "labels");
    std::set<std::string_view> names;
    for (const auto& f : rec.fields) Check(names.insert(f.name).second, "duplicate field name");
    Check(rec.RawBytes() <= options.max_line_bytes, "record over max_line_bytes");
    Check(rec.fields.size() <= options.max_fields, "record over max_fields");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static const strata::model::LabelPolicy policy;

  std::string_view without_bom = body;
  if (without_bom.substr(0, 3) == "\xEF\xBB\xBF") without_bom.remove_prefix(3);
  size_t lines = 0, non_blank = 0;
  CountLines(without_bom, lines, non_blank);

  DecodeOptions defaults;
  defaults.labels = &policy;
  defaults.receive_time_ns = 1;
  DecodeOptions tight = defaults;
  tight.max_line_bytes = 48;
  tight.max_fields = 3;
  for (const DecodeOptions* options : {&defaults, &tight}) {
    auto result = strata::ingest::native::DecodeNdjsonBody(body, *options);
    Check(result.ok() == (non_blank > 0), "body-level error on a non-blank body (or none on a blank one)");
    if (result.ok()) CheckRecords(*result, lines, non_blank, *options);
  }
  return 0;
}
