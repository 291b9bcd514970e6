#include "strata/ingest/ingest_sink.h"

#include "strata/model/record_codec.h"

namespace strata::ingest {

base::Status IngestSink::IngestEncoded(model::EncodedBatch batch, Callback done) {
  auto decoded = model::DecodeRecordBatch(batch.payload);
  if (!decoded.ok()) return base::Internal("encoded batch does not decode: " + decoded.status().message());
  return Ingest(std::move(batch.tenant), std::move(decoded->records), std::move(done));
}

}  // namespace strata::ingest
