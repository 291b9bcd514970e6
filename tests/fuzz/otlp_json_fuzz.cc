// libFuzzer target: OTLP/JSON bodies (ParseJsonRequest + MapExportRequest) on arbitrary bytes. Besides the
// sanitizers' checks it asserts the decoder's contract: every log record of the request is either a record or a
// rejection (never both, never lost), rejection indexes are unique, sorted and in range, records respect the
// limits and are canonical (sorted unique labels with service_name, unique field names), and the request the JSON
// decoded to survives a protobuf round trip with the same mapping.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "strata/ingest/otlp/otlp_decoder.h"

namespace {

using strata::ingest::otlp::MapOptions;
using strata::ingest::otlp::MapResult;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

void CheckResult(const MapResult& result, const MapOptions& options) {
  Check(result.records.size() + result.rejected.size() == result.total, "records + rejected != total");
  for (size_t i = 0; i < result.rejected.size(); ++i) {
    Check(result.rejected[i].index < result.total, "rejection index out of range");
    Check(i == 0 || result.rejected[i - 1].index < result.rejected[i].index, "rejections not sorted/unique");
    Check(!result.rejected[i].reason.empty(), "empty rejection reason");
  }
  for (const auto& rec : result.records) {
    bool service_name = false;
    for (size_t i = 0; i < rec.labels.size(); ++i) {
      Check(i == 0 || rec.labels[i - 1].name < rec.labels[i].name, "labels not canonical");
      service_name |= rec.labels[i].name == "service_name";
    }
    Check(service_name, "no service_name label");
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
  MapOptions defaults;
  defaults.labels = &policy;
  defaults.receive_time_ns = 1;
  MapOptions tight = defaults;  // reach the limit checks with small inputs
  tight.max_line_bytes = 64;
  tight.max_fields = 3;

  std::vector<strata::ingest::otlp::Rejection> rejected;
  auto request = strata::ingest::otlp::ParseJsonRequest(body, &rejected);
  for (const MapOptions* options : {&defaults, &tight}) {
    auto result = strata::ingest::otlp::DecodeJsonBody(body, *options);
    Check(result.ok() == request.ok(), "DecodeJsonBody and ParseJsonRequest disagree");
    if (!result.ok()) {
      Check(!result.status().message().empty(), "error without a message");
      continue;
    }
    CheckResult(*result, *options);
    // The decoded request, as protobuf, maps to the same records (minus the JSON-level rejections, which leave
    // empty placeholders that map to empty records).
    auto via_proto = strata::ingest::otlp::DecodeProtobufBody(request->SerializeAsString(), *options);
    Check(via_proto.ok(), "re-encoded request does not parse");
    Check(via_proto->total == result->total, "protobuf round trip changed the record count");
    if (rejected.empty()) Check(via_proto->records == result->records, "protobuf round trip changed records");
  }
  return 0;
}
