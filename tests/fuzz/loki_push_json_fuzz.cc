// libFuzzer target: Loki push JSON (DecodePushJson) on arbitrary bytes. Besides the sanitizers' checks it asserts
// the decoder's contract: every record has canonical labels including service_name, unique field names and stays
// within the limits; every rejection has a reason and a message and costs at least one entry; and a body that
// simdjson's DOM accepts as an object whose "streams" is an array (or absent/null) is never a body-level error.

#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "strata/ingest/loki/loki_push_decoder.h"

namespace {

using strata::ingest::loki::PushOptions;
using strata::ingest::loki::PushResult;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

void CheckResult(const PushResult& result, const PushOptions& options) {
  for (const auto& r : result.rejected) {
    Check(!r.reason.empty() && !r.message.empty(), "empty rejection");
    Check(r.entries >= 1, "rejection without entries");
  }
  for (const auto& rec : result.records) {
    bool service = false;
    for (size_t i = 0; i < rec.labels.size(); ++i) {
      if (i) Check(rec.labels[i - 1].name < rec.labels[i].name, "labels not canonical");
      Check(!rec.labels[i].value.empty(), "empty label value");
      service |= rec.labels[i].name == "service_name";
    }
    Check(service, "no service_name");
    std::set<std::string_view> names;
    for (const auto& f : rec.fields) Check(names.insert(f.name).second, "duplicate field name");
    Check(rec.RawBytes() <= options.max_line_bytes, "record over max_line_bytes");
    Check(rec.fields.size() <= options.max_fields, "record over max_fields");
    Check(rec.timestamp_ns >= options.oldest_ns && rec.timestamp_ns <= options.newest_ns, "timestamp out of bounds");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  bool well_formed = false;
  {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    const simdjson::padded_string padded(body);
    simdjson::dom::object object;
    if (!parser.parse(padded).get(root) && !root.get_object().get(object)) {
      simdjson::dom::element streams;
      auto error = object.at_key("streams").get(streams);
      well_formed = error == simdjson::NO_SUCH_FIELD || (!error && (streams.is_array() || streams.is_null()));
    }
  }

  PushOptions defaults;
  PushOptions tight;  // reach the limit checks with small inputs
  tight.max_line_bytes = 40;
  tight.max_fields = 2;
  tight.max_label_names = 3;
  tight.max_label_name_length = 8;
  tight.max_label_value_length = 8;
  tight.oldest_ns = 100;
  tight.newest_ns = 1000000000000;
  for (const PushOptions* options : {&defaults, &tight}) {
    auto result = strata::ingest::loki::DecodePushJson(body, *options);
    Check(result.ok() == well_formed, "body-level verdict differs from simdjson DOM");
    if (result.ok()) CheckResult(*result, *options);
  }
  return 0;
}
