// libFuzzer target: DecodeJsonBody on arbitrary bytes. Besides the sanitizers' checks it asserts the decoder's
// contract: rejection indexes are unique and name real array elements, no item is counted twice, records are in
// canonical form, and a body simdjson's DOM accepts as an array or {"logs": [...]} is never a body-level error.

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

void CheckRecords(const DecodeResult& result, size_t items, const DecodeOptions& options) {
  Check(result.records.size() + result.rejected.size() <= items, "more outcomes than items");
  std::set<size_t> seen;
  for (const auto& r : result.rejected) {
    Check(seen.insert(r.index).second, "duplicate rejection index");
    Check(r.index < items, "rejection index out of range");
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

  // How many items the body holds, per simdjson's DOM (the same parser the decoder validates with).
  size_t items = 0;
  bool well_formed = false;
  {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view trimmed = body;
    if (trimmed.substr(0, 3) == "\xEF\xBB\xBF") trimmed.remove_prefix(3);
    const simdjson::padded_string padded(trimmed);
    if (!parser.parse(padded).get(root)) {
      simdjson::dom::array array;
      simdjson::dom::object object;
      if (!root.get_array().get(array)) {
        items = array.size();
        well_formed = true;
      } else if (!root.get_object().get(object)) {
        simdjson::dom::element logs;
        if (object.at_key("logs").get(logs) == simdjson::NO_SUCH_FIELD) {
          items = 1;
          well_formed = true;
        } else if (!logs.get_array().get(array)) {
          items = array.size();
          well_formed = true;
        }
      }
    }
  }

  DecodeOptions defaults;
  defaults.labels = &policy;
  defaults.receive_time_ns = 1;
  DecodeOptions tight = defaults;  // reach the limit checks with small inputs
  tight.max_line_bytes = 48;
  tight.max_fields = 3;
  for (const DecodeOptions* options : {&defaults, &tight}) {
    auto result = strata::ingest::native::DecodeJsonBody(body, *options);
    Check(result.ok() == well_formed, "body-level verdict differs from simdjson DOM");
    if (result.ok()) CheckRecords(*result, items, *options);
  }
  return 0;
}
