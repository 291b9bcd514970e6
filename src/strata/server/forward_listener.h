#pragma once
// ForwardListener: the Fluentd forward protocol (v1) over TCP on the server's io_context, so Fluentd and Fluent Bit
// `forward` outputs and the fluent-logger libraries can send to Strata. Messages are framed with msgpack::Scanner
// and decoded by ingest/forward/forward_decoder.h (Message, Forward, PackedForward, CompressedPackedForward).
//
// Acknowledgements: every complete message buffered on a connection is decoded into one batch for the IngestSink;
// only when the sink reports the batch durable are the `{"ack": chunk}` answers of its messages written, in order.
// A batch the sink refuses at once (back-pressure, WAL replay) is retried with a growing pause (up to 1 s) while
// the connection is not read; a batch that fails to become durable closes the connection without its acks, so
// the client sends the chunk again. Entries the decoder rejects are counted and still acknowledged (resending
// them cannot help). Handshake/shared-key authentication, TLS and the UDP heartbeat are not implemented.
//
// Errors: a message that is framed but not a valid forward message is dropped and counted ("malformed") and the
// connection goes on; bytes that are not msgpack at all (the stream cannot be resynchronised) or a message larger
// than max_message_bytes close the connection ("malformed" / "too_large").
//
// Limits: max_message_bytes per message (also the most a connection buffers), max_decompressed_bytes per
// CompressedPackedForward message, max_line_bytes / max_fields per record, max_connections, idle_timeout_seconds.
//
// Metrics (one probe): strata_forward_messages_total{mode}, strata_forward_records_total,
// strata_forward_received_bytes_total, strata_forward_rejected_total{reason}, strata_forward_acks_total,
// strata_forward_connections_total, strata_forward_open_connections. Rejected records are also reported to
// IngestSink::CountRejected.
//
// Lifecycle and thread-safety as SyslogListener (server/syslog_listener.h): Start() binds, Stop() closes the
// listener and every connection, InFlight() counts batches in the sink; Stop()/InFlight() from any thread.

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "strata/base/status.h"
#include "strata/ingest/ingest_sink.h"
#include "strata/model/label_policy.h"
#include "strata/observability/metrics.h"

namespace strata::server {

struct ForwardListenerOptions {
  std::string listen;  // HOST:PORT; empty: off
  std::string tenant = "default";
  const model::LabelPolicy* labels = nullptr;  // record keys it names become labels; must outlive the listener
  size_t max_message_bytes = 64ull << 20;
  size_t max_decompressed_bytes = 256ull << 20;
  size_t max_line_bytes = 256 * 1024;
  size_t max_fields = 256;
  int max_connections = 1024;
  int idle_timeout_seconds = 600;
  bool optional = false;  // as SyslogListenerOptions::optional
};

class ForwardListener {
 public:
  ForwardListener(boost::asio::io_context& ioc, ingest::IngestSink& sink, observability::Registry& registry,
                  ForwardListenerOptions options);
  ~ForwardListener();
  ForwardListener(const ForwardListener&) = delete;
  ForwardListener& operator=(const ForwardListener&) = delete;

  base::Status Start();
  void Stop();
  int64_t InFlight() const;
  std::string BoundAddress() const;  // "" when off

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace strata::server
