// libFuzzer target: DecodeForwardMessage on arbitrary bytes (a framed forward-protocol message). Asserts: records
// respect the line and field limits, carry the `tag` label, have sorted unique labels and unique field names;
// rejection indexes are unique.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "strata/ingest/forward/forward_decoder.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  static const strata::model::LabelPolicy policy;
  strata::ingest::forward::DecodeOptions options;
  options.labels = &policy;
  options.max_line_bytes = 512;
  options.max_fields = 8;
  options.max_decompressed_bytes = 1 << 16;
  options.receive_time_ns = 1;
  options.msgpack_limits.max_depth = 16;
  options.msgpack_limits.max_elements = 2048;
  auto d = strata::ingest::forward::DecodeForwardMessage(in, options);
  if (!d.ok()) return 0;
  std::set<size_t> seen;
  for (const auto& r : d->rejected) Check(seen.insert(r.index).second, "duplicate rejection index");
  for (const auto& r : d->records) {
    Check(r.RawBytes() <= options.max_line_bytes, "record over max_line_bytes");
    Check(r.fields.size() <= options.max_fields, "too many fields");
    bool has_tag = false;
    for (size_t i = 0; i < r.labels.size(); ++i) {
      if (i) Check(r.labels[i - 1].name < r.labels[i].name, "labels not sorted and unique");
      if (r.labels[i].name == "tag") has_tag = r.labels[i].value == d->tag;
    }
    Check(has_tag, "record without its tag label");
    std::set<std::string> names;
    for (const auto& f : r.fields) Check(names.insert(f.name).second, "duplicate field name");
  }
  return 0;
}
