#pragma once
// SyslogListener: syslog receivers on the server's io_context: UDP (one message per datagram), TCP and TLS (RFC 6587
// framing, octet counting or LF, detected per frame; ingest/syslog/syslog_framer.h). Messages are parsed by
// ingest/syslog/syslog_parser.h and handed to the IngestSink under the listener's tenant with its extra labels.
//
// Flow control and durability: syslog has no acknowledgements, so "durable" only paces the sender. A TCP/TLS
// connection hands the messages of one read to the sink and reads again only once that batch is durable, so a
// slow disk slows senders through TCP back-pressure. When the sink refuses a batch at once (429-style
// back-pressure, or not ready during WAL replay) the connection keeps it and retries with a growing pause (up to
// 1 s) without reading; nothing is dropped until the listener stops. UDP cannot push back: a datagram burst
// (whatever is queued on the socket, up to 256 datagrams) is one batch, handed over without waiting, and a refused
// batch is dropped and counted (reason "backpressure" or "unavailable").
//
// Limits: a message is at most max_message_bytes (longer frames are skipped and counted as "oversized"); at most
// max_connections TCP and as many TLS connections (more are closed at once, counted as "connection_limit"); a
// connection idle for idle_timeout_seconds is closed; the TLS handshake must finish within 10 s.
//
// Metrics (one probe): strata_syslog_messages_total{transport,format}, strata_syslog_received_bytes_total{transport},
// strata_syslog_rejected_total{transport,reason} (reasons: empty, oversized, truncated, backpressure, unavailable,
// durability, connection_limit), strata_syslog_connections_total{transport}, strata_syslog_open_connections{transport}.
// Rejected lines are also reported to IngestSink::CountRejected.
//
// Lifecycle: Start() binds (TCP first, then UDP on the port TCP got, so port 0 gives both one port); Stop() closes the
// sockets and every connection; InFlight() counts batches handed to the sink whose callback has not run, so the owner
// can wait for zero before closing the WAL. Stop() and InFlight() may be called from any thread. The object may be
// destroyed before the io_context; connections still queued there keep the shared state alive.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "strata/base/status.h"
#include "strata/ingest/ingest_sink.h"
#include "strata/model/log_record.h"
#include "strata/observability/metrics.h"

namespace strata::server {

struct SyslogListenerOptions {
  std::string listen;      // UDP and TCP HOST:PORT; empty: neither
  std::string tls_listen;  // TLS HOST:PORT; empty: off
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tenant = "default";
  std::vector<model::Field> labels;  // extra labels on every record
  size_t max_message_bytes = 256 * 1024;
  int max_connections = 1024;  // per transport
  int idle_timeout_seconds = 600;
  // When true, a listen address that cannot be bound is logged and skipped instead of failing Start(): used for
  // the built-in default address, so a second server on one host (tests, development) still starts.
  bool optional = false;
};

class SyslogListener {
 public:
  SyslogListener(boost::asio::io_context& ioc, ingest::IngestSink& sink, observability::Registry& registry,
                 SyslogListenerOptions options);
  ~SyslogListener();
  SyslogListener(const SyslogListener&) = delete;
  SyslogListener& operator=(const SyslogListener&) = delete;

  base::Status Start();
  void Stop();
  int64_t InFlight() const;

  // Bound addresses ("" when off).
  std::string UdpAddress() const;
  std::string TcpAddress() const;
  std::string TlsAddress() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace strata::server
