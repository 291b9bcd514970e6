// libFuzzer target: DecodeTextBody on arbitrary bytes. Asserts: every non-blank line yields exactly one record or
// one rejection with a unique, in-range line number; accepted messages are valid UTF-8 without a newline (only one
// \r before the \n belongs to the line ending, so "a\r\r\n" is the message "a\r") and carry the attributes.

#include <simdjson.h>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static const strata::model::LabelPolicy policy;
  static const strata::ingest::native::TextAttributes attributes = {
      {{"service", "fuzz"}, {"level", "warning"}, {"tag.k", "v"}, {"hostname", "h"}}};

  std::string_view without_bom = body;
  if (without_bom.substr(0, 3) == "\xEF\xBB\xBF") without_bom.remove_prefix(3);
  size_t lines = 0, non_blank = 0;
  CountLines(without_bom, lines, non_blank);

  DecodeOptions defaults;
  defaults.labels = &policy;
  defaults.receive_time_ns = 1;
  DecodeOptions tight = defaults;
  tight.max_line_bytes = 40;
  tight.max_fields = 3;
  for (const DecodeOptions* options : {&defaults, &tight}) {
    auto result = strata::ingest::native::DecodeTextBody(body, attributes, *options);
    Check(result.ok() == (non_blank > 0), "body-level error on a non-blank body (or none on a blank one)");
    if (!result.ok()) continue;
    const DecodeResult& r = *result;
    Check(r.records.size() + r.rejected.size() <= lines, "more outcomes than lines");
    Check(r.records.size() + r.rejected.size() == non_blank, "a non-blank line was lost or doubled");
    std::set<size_t> seen;
    for (const auto& rej : r.rejected) {
      Check(seen.insert(rej.index).second, "duplicate rejection index");
      Check(rej.index < lines, "rejection index out of range");
    }
    for (const auto& rec : r.records) {
      Check(rec.message.find('\n') == std::string::npos, "newline in a message");
      Check(simdjson::validate_utf8(rec.message), "invalid UTF-8 accepted");
      Check(rec.labels.size() == 3 && rec.fields.size() == 1, "attributes missing");
      Check(rec.timestamp_ns == 1, "text records carry the receive time");
      Check(rec.RawBytes() <= options->max_line_bytes, "record over max_line_bytes");
    }
  }
  return 0;
}
