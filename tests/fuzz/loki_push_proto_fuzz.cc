// libFuzzer target: Loki push protobuf (DecodePushProto) on arbitrary bytes, both as the PushRequest itself and,
// when the bytes are a valid snappy block, as the decompressed message (the handler's path). Besides the
// sanitizers' checks it asserts the decoder's contract: canonical labels with service_name, unique field names,
// limits kept, rejections with a message; a body-level error only when nothing at all was decodable.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "strata/common/compression.h"
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

void Decode(std::string_view message, const PushOptions& options) {
  auto result = strata::ingest::loki::DecodePushProto(message, options);
  if (!result.ok()) {
    Check(result.status().message().rfind("malformed protobuf: ", 0) == 0, "unexpected body-level error");
    Check(!message.empty(), "empty message refused");
    return;
  }
  for (const auto& r : result->rejected) Check(!r.message.empty() && r.entries >= 1, "bad rejection");
  for (const auto& rec : result->records) {
    bool service = false;
    for (size_t i = 0; i < rec.labels.size(); ++i) {
      if (i) Check(rec.labels[i - 1].name < rec.labels[i].name, "labels not canonical");
      service |= rec.labels[i].name == "service_name";
    }
    Check(service, "no service_name");
    std::set<std::string_view> names;
    for (const auto& f : rec.fields) Check(names.insert(f.name).second, "duplicate field name");
    Check(rec.RawBytes() <= options.max_line_bytes, "record over max_line_bytes");
    Check(rec.fields.size() <= options.max_fields, "record over max_fields");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  PushOptions defaults;
  PushOptions tight;
  tight.max_line_bytes = 40;
  tight.max_fields = 2;
  tight.max_label_names = 3;
  Decode(bytes, defaults);
  Decode(bytes, tight);
  auto uncompressed = strata::common::DecompressBody("snappy", bytes, 1 << 20);
  if (uncompressed.ok()) Decode(*uncompressed, defaults);
  return 0;
}
