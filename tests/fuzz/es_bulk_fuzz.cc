// libFuzzer target: Elasticsearch _bulk (DecodeBulk) on arbitrary bytes. Besides the sanitizers' checks it asserts
// the decoder's contract: a body-level error exactly when the body is empty or lacks the trailing newline; at most
// one item per non-blank line; every stored item (201) points at its own record and every record is pointed at
// once; failed items carry a type and reason; records keep the limits; and the response is valid JSON.

#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "strata/ingest/elasticsearch/bulk_decoder.h"

namespace {

namespace es = strata::ingest::elasticsearch;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

size_t NonBlankLines(std::string_view body) {
  size_t n = 0;
  while (!body.empty()) {
    const size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) ++n;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  es::BulkOptions defaults;
  defaults.receive_time_ns = 1;
  es::BulkOptions tight = defaults;
  tight.max_line_bytes = 48;
  tight.max_fields = 3;
  tight.default_index = "url-index";
  for (const es::BulkOptions* options : {&defaults, &tight}) {
    auto result = es::DecodeBulk(body, *options);
    Check(result.ok() == (!body.empty() && body.back() == '\n'), "body-level verdict");
    if (!result.ok()) continue;
    Check(result->items.size() <= NonBlankLines(body), "more items than lines");
    std::set<size_t> records;
    for (const auto& item : result->items) {
      if (item.status == 201) {
        Check(item.record < result->records.size(), "stored item without a record");
        Check(records.insert(item.record).second, "record shared by two items");
      } else {
        Check(item.record == es::BulkItem::kNoRecord, "failed item with a record");
        Check(!item.error_type.empty() && !item.error_reason.empty(), "failed item without an error");
      }
    }
    Check(records.size() == result->records.size(), "record without an item");
    for (const auto& rec : result->records) {
      Check(rec.RawBytes() <= options->max_line_bytes, "record over max_line_bytes");
      Check(rec.fields.size() <= options->max_fields, "record over max_fields");
    }
    const std::string response = es::FormatBulkResponse(result->items, 1);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    Check(!parser.parse(response).get(root), "response is not valid JSON");
  }
  return 0;
}
