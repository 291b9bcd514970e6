#include "strata/server/syslog_listener.h"

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <mutex>

#include "strata/base/clock.h"
#include "strata/ingest/syslog/syslog_framer.h"
#include "strata/ingest/syslog/syslog_parser.h"
#include "strata/observability/log.h"

namespace strata::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using ingest::syslog::Format;
using ingest::syslog::SyslogFramer;

namespace {

enum Transport { kUdp = 0, kTcp = 1, kTls = 2 };
constexpr const char* kTransportNames[] = {"udp", "tcp", "tls"};
constexpr const char* kFormatNames[] = {"rfc5424", "rfc3164", "raw"};
constexpr size_t kUdpBurst = 256;
constexpr size_t kReadBytes = 64 * 1024;

// Owns the syslog metrics; children are looked up once so the hot path only touches atomics.
class SyslogProbe {
 public:
  explicit SyslogProbe(observability::Registry& r)
      : messages_(r.AddCounter("strata_syslog_messages_total", "Syslog messages parsed and handed to ingest.",
                               {"transport", "format"})),
        bytes_(r.AddCounter("strata_syslog_received_bytes_total", "Bytes received by the syslog listeners.",
                            {"transport"})),
        rejected_(r.AddCounter("strata_syslog_rejected_total", "Syslog messages (or connections) refused, by reason.",
                               {"transport", "reason"})),
        connections_(r.AddCounter("strata_syslog_connections_total", "Syslog TCP/TLS connections accepted.",
                                  {"transport"})),
        open_(r.AddGauge("strata_syslog_open_connections", "Syslog TCP/TLS connections open now.", {"transport"})) {
    for (int t = 0; t < 3; ++t) {
      for (int f = 0; f < 3; ++f) message_children_[t][f] = &messages_.WithLabels({kTransportNames[t], kFormatNames[f]});
      byte_children_[t] = &bytes_.WithLabels({kTransportNames[t]});
      connection_children_[t] = &connections_.WithLabels({kTransportNames[t]});
      open_children_[t] = &open_.WithLabels({kTransportNames[t]});
    }
  }

  void Message(Transport t, Format f) { message_children_[t][static_cast<int>(f)]->Inc(); }
  void Bytes(Transport t, size_t n) { byte_children_[t]->Inc(static_cast<double>(n)); }
  void Rejected(Transport t, std::string_view reason, size_t n) {
    rejected_.WithLabels({kTransportNames[t], std::string(reason)}).Inc(static_cast<double>(n));
  }
  void Opened(Transport t) {
    connection_children_[t]->Inc();
    open_children_[t]->Add(1);
  }
  void Closed(Transport t) { open_children_[t]->Add(-1); }

 private:
  observability::Family<observability::Counter>& messages_;
  observability::Family<observability::Counter>& bytes_;
  observability::Family<observability::Counter>& rejected_;
  observability::Family<observability::Counter>& connections_;
  observability::Family<observability::Gauge>& open_;
  observability::Counter* message_children_[3][3];
  observability::Counter* byte_children_[3];
  observability::Counter* connection_children_[3];
  observability::Gauge* open_children_[3];
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Shutdown() = 0;  // posts the close onto the session's strand
};

base::Result<tcp::endpoint> Resolve(net::io_context& ioc, const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return base::InvalidArgument("expected HOST:PORT, got \"" + listen + "\"");
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code ec;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) {
    return base::InvalidArgument("cannot resolve listen address " + listen + ": " + ec.message());
  }
  return results.begin()->endpoint();
}

template <typename Endpoint>
std::string EndpointText(const Endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

bool Retryable(const base::Status& st) {
  return st.code() == base::StatusCode::kResourceExhausted || st.code() == base::StatusCode::kUnavailable;
}

std::string_view RefusalReason(const base::Status& st) {
  return st.code() == base::StatusCode::kResourceExhausted ? "backpressure" : "unavailable";
}

}  // namespace

struct SyslogListener::Shared : std::enable_shared_from_this<SyslogListener::Shared> {
  Shared(net::io_context& io, ingest::IngestSink& s, observability::Registry& registry, SyslogListenerOptions o)
      : ioc(io), sink(s), options(std::move(o)), probe(registry) {}

  net::io_context& ioc;
  ingest::IngestSink& sink;
  const SyslogListenerOptions options;
  SyslogProbe probe;
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> in_flight{0};
  std::atomic<int> open[3] = {0, 0, 0};
  std::unique_ptr<ssl::context> ssl_ctx;
  std::unique_ptr<tcp::acceptor> acceptors[3];  // [kTcp], [kTls]
  std::unique_ptr<udp::socket> udp_socket;
  std::array<char, 65536> udp_buffer;
  udp::endpoint udp_sender;
  std::string addresses[3];

  std::mutex mu;
  uint64_t next_session = 0;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions;

  ingest::syslog::ParseOptions ParseOptionsNow() const {
    ingest::syslog::ParseOptions p;
    p.receive_time_ns = base::SystemClock::Get().NowNanos();
    p.max_message_bytes = options.max_message_bytes;
    p.extra_labels = options.labels;
    return p;
  }

  void Reject(Transport t, std::string_view reason, size_t n) {
    if (n == 0) return;
    probe.Rejected(t, reason, n);
    sink.CountRejected(options.tenant, reason, n);
  }

  // Parses one message into batch, or counts it as rejected.
  void Add(Transport t, std::string_view frame, const ingest::syslog::ParseOptions& p,
           std::vector<model::LogRecord>& batch) {
    auto parsed = ingest::syslog::ParseSyslogMessage(frame, p);
    if (!parsed.ok()) {
      Reject(t, parsed.status().code() == base::StatusCode::kPayloadTooLarge ? "oversized" : "empty", 1);
      return;
    }
    probe.Message(t, parsed->format);
    batch.push_back(std::move(parsed->record));
  }

  // Every Ingest call is bracketed by BeginIngest/EndIngest. Incrementing before looking at `stopping` (both
  // sequentially consistent) means the shutdown thread, which sets `stopping` and then waits for in_flight == 0,
  // can never miss a batch that is about to reach the sink.
  bool BeginIngest() {
    in_flight.fetch_add(1);
    if (stopping.load()) {
      in_flight.fetch_sub(1);
      return false;
    }
    return true;
  }
  void EndIngest() { in_flight.fetch_sub(1); }

  uint64_t Register(std::weak_ptr<SessionBase> s) {
    std::lock_guard lock(mu);
    sessions.emplace(++next_session, std::move(s));
    return next_session;
  }
  void Unregister(uint64_t id) {
    std::lock_guard lock(mu);
    sessions.erase(id);
  }

  // --- UDP ---

  void ReceiveUdp() {
    udp_socket->async_receive_from(net::buffer(udp_buffer), udp_sender,
                                   [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                                     self->OnUdp(ec, n);
                                   });
  }

  void OnUdp(boost::system::error_code ec, size_t n) {
    if (ec == net::error::operation_aborted || stopping.load() || !udp_socket->is_open()) return;
    if (!ec) {
      const auto p = ParseOptionsNow();
      std::vector<model::LogRecord> batch;
      auto datagram = [&](size_t size) {
        probe.Bytes(kUdp, size);
        Add(kUdp, std::string_view(udp_buffer.data(), size), p, batch);
      };
      datagram(n);
      // Take whatever else is already queued on the socket: one batch (one WAL record) per burst.
      for (size_t i = 1; i < kUdpBurst; ++i) {
        boost::system::error_code more_ec;
        size_t more = udp_socket->receive_from(net::buffer(udp_buffer), udp_sender, 0, more_ec);
        if (more_ec) break;
        datagram(more);
      }
      Submit(std::move(batch));
    }
    ReceiveUdp();
  }

  void Submit(std::vector<model::LogRecord> batch) {
    if (batch.empty()) return;
    const size_t n = batch.size();
    if (!BeginIngest()) return Reject(kUdp, "unavailable", n);
    auto self = shared_from_this();
    base::Status st = sink.Ingest(options.tenant, std::move(batch), [self, n](const base::Status& durable) {
      if (!durable.ok()) {
        self->Reject(kUdp, "durability", n);
        observability::LogWarn("syslog batch not durable", {{"error", durable.ToString()}});
      }
      self->EndIngest();
    });
    if (!st.ok()) {
      EndIngest();
      Reject(kUdp, Retryable(st) ? RefusalReason(st) : "other", n);
    }
  }

  // --- TCP / TLS ---

  void Accept(Transport t);
  void OnAccept(Transport t, boost::system::error_code ec, tcp::socket socket);

  base::Status BindTcp(Transport t, const tcp::endpoint& ep) {
    boost::system::error_code ec;
    auto acceptor = std::make_unique<tcp::acceptor>(net::make_strand(ioc));
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) return base::Unavailable("cannot listen on " + EndpointText(ep) + " (" + kTransportNames[t] + "): " + ec.message());
    addresses[t] = EndpointText(acceptor->local_endpoint(ec));
    acceptors[t] = std::move(acceptor);
    return base::Status::Ok();
  }

  base::Status BindUdp(const udp::endpoint& ep) {
    boost::system::error_code ec;
    auto socket = std::make_unique<udp::socket>(net::make_strand(ioc));
    socket->open(ep.protocol(), ec);
    // A large receive buffer absorbs bursts while a batch is being parsed; the kernel caps it (rmem_max).
    if (!ec) socket->set_option(net::socket_base::receive_buffer_size(8 << 20), ec);
    if (!ec) socket->bind(ep, ec);
    if (!ec) socket->non_blocking(true, ec);
    if (ec) return base::Unavailable("cannot listen on " + EndpointText(ep) + " (udp): " + ec.message());
    addresses[kUdp] = EndpointText(socket->local_endpoint(ec));
    udp_socket = std::move(socket);
    return base::Status::Ok();
  }
};

namespace {

using Shared = SyslogListener::Shared;

// One TCP or TLS connection. Runs on its own strand; at most one read or one batch in the sink at a time.
template <bool kIsTls>
class Session : public SessionBase, public std::enable_shared_from_this<Session<kIsTls>> {
 public:
  using Stream = std::conditional_t<kIsTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;
  static constexpr Transport kTransport = kIsTls ? kTls : kTcp;

  template <typename... Args>
  Session(std::shared_ptr<Shared> shared, Args&&... args)
      : shared_(std::move(shared)),
        stream_(std::forward<Args>(args)...),
        framer_(shared_->options.max_message_bytes),
        timer_(stream_.get_executor()) {
    shared_->probe.Opened(kTransport);
  }

  ~Session() override {
    shared_->Unregister(id_);
    shared_->open[kTransport].fetch_sub(1);
    shared_->probe.Closed(kTransport);
  }

  void Start() {
    id_ = shared_->Register(this->weak_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kIsTls) {
        beast::get_lowest_layer(self->stream_).expires_after(std::chrono::seconds(10));
        self->stream_.async_handshake(ssl::stream_base::server, [self](boost::system::error_code ec) {
          if (ec) {
            observability::LogDebug("syslog TLS handshake failed", {{"error", ec.message()}});
            return self->Close();
          }
          self->Read();
        });
      } else {
        self->Read();
      }
    });
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closing_ = true;
      self->Close();
    });
  }

 private:
  void Read() {
    if (closed_) return;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(shared_->options.idle_timeout_seconds));
    stream_.async_read_some(net::buffer(buffer_), [self = this->shared_from_this()](boost::system::error_code ec,
                                                                                      size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(boost::system::error_code ec, size_t n) {
    if (closed_) return;
    const auto p = shared_->ParseOptionsNow();
    auto sink = [&](SyslogFramer::Event e, std::string_view frame) {
      switch (e) {
        case SyslogFramer::Event::kMessage: shared_->Add(kTransport, frame, p, batch_); break;
        case SyslogFramer::Event::kOversized: shared_->Reject(kTransport, "oversized", 1); break;
        case SyslogFramer::Event::kTruncated: shared_->Reject(kTransport, "truncated", 1); break;
      }
    };
    if (n > 0) {
      shared_->probe.Bytes(kTransport, n);
      framer_.Feed(std::string_view(buffer_.data(), n), sink);
    }
    if (ec) {
      if (ec == net::error::operation_aborted) return Close();
      // End of stream (or a timeout / reset): whatever was whole is still ingested.
      framer_.Finish(sink);
      closing_ = true;
    }
    if (batch_.empty()) return closing_ ? Close() : Read();
    Submit();
  }

  void Submit() {
    if (!shared_->BeginIngest()) {
      shared_->Reject(kTransport, "unavailable", batch_.size());
      batch_.clear();
      return Close();
    }
    // The sink consumes its argument even when it refuses it, so hand it a copy and keep ours for a retry.
    std::vector<model::LogRecord> copy = batch_;
    base::Status st = shared_->sink.Ingest(
        shared_->options.tenant, std::move(copy), [self = this->shared_from_this()](const base::Status& durable) {
          self->shared_->EndIngest();
          net::post(self->stream_.get_executor(), [self, durable] { self->OnDurable(durable); });
        });
    if (st.ok()) return;
    shared_->EndIngest();
    if (Retryable(st) && !shared_->stopping.load() && !closed_) {
      // Hold the batch and stop reading: the sender is paced by TCP until the sink has room again.
      retry_delay_ms_ = std::min(retry_delay_ms_ == 0 ? 20 : retry_delay_ms_ * 2, 1000);
      timer_.expires_after(std::chrono::milliseconds(retry_delay_ms_));
      timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
        if (ec || self->closed_ || self->shared_->stopping.load()) {
          self->shared_->Reject(kTransport, "unavailable", self->batch_.size());
          self->batch_.clear();
          return self->Close();
        }
        self->Submit();
      });
      return;
    }
    shared_->Reject(kTransport, Retryable(st) ? RefusalReason(st) : "other", batch_.size());
    batch_.clear();
    Continue();
  }

  void OnDurable(const base::Status& durable) {
    if (!durable.ok()) {
      shared_->Reject(kTransport, "durability", batch_.size());
      observability::LogWarn("syslog batch not durable", {{"error", durable.ToString()}});
    }
    batch_.clear();
    retry_delay_ms_ = 0;
    Continue();
  }

  void Continue() {
    if (closing_ || closed_) return Close();
    Read();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    timer_.cancel();
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  std::shared_ptr<Shared> shared_;
  Stream stream_;
  SyslogFramer framer_;
  net::steady_timer timer_;
  std::array<char, kReadBytes> buffer_;
  std::vector<model::LogRecord> batch_;
  uint64_t id_ = 0;
  int retry_delay_ms_ = 0;
  bool closing_ = false;  // finish the current batch, then close
  bool closed_ = false;
};

}  // namespace

void SyslogListener::Shared::Accept(Transport t) {
  acceptors[t]->async_accept(net::make_strand(ioc),
                             [self = shared_from_this(), t](boost::system::error_code ec, tcp::socket socket) {
                               self->OnAccept(t, ec, std::move(socket));
                             });
}

void SyslogListener::Shared::OnAccept(Transport t, boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping.load() || !acceptors[t]->is_open()) return;
  if (!ec) {
    if (open[t].fetch_add(1) >= options.max_connections) {
      open[t].fetch_sub(1);
      Reject(t, "connection_limit", 1);
      socket.close(ec);
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      if (t == kTls) {
        std::make_shared<Session<true>>(shared_from_this(), std::move(socket), *ssl_ctx)->Start();
      } else {
        std::make_shared<Session<false>>(shared_from_this(), std::move(socket))->Start();
      }
    }
  }
  Accept(t);
}

SyslogListener::SyslogListener(net::io_context& ioc, ingest::IngestSink& sink, observability::Registry& registry,
                               SyslogListenerOptions options)
    : shared_(std::make_shared<Shared>(ioc, sink, registry, std::move(options))) {}

SyslogListener::~SyslogListener() { Stop(); }

base::Status SyslogListener::Start() {
  Shared& s = *shared_;
  auto soft = [&](const base::Status& st) {
    if (st.ok() || !s.options.optional) return st;
    observability::LogWarn("syslog listener not started", {{"error", st.ToString()}});
    return base::Status::Ok();
  };
  if (!s.options.listen.empty()) {
    auto ep = Resolve(s.ioc, s.options.listen);
    if (!ep.ok()) return ep.status();
    base::Status st = s.BindTcp(kTcp, *ep);
    if (st.ok()) {
      // UDP on the same address, and on the port TCP got when the configured port is 0.
      udp::endpoint uep(ep->address(), s.acceptors[kTcp]->local_endpoint().port());
      st = s.BindUdp(uep);
      if (!st.ok()) {
        boost::system::error_code ec;
        s.acceptors[kTcp]->close(ec);
        s.acceptors[kTcp].reset();
        s.addresses[kTcp].clear();
      }
    }
    RETURN_IF_ERROR(soft(st));
  }
  if (!s.options.tls_listen.empty()) {
    if (s.options.tls_cert_file.empty() || s.options.tls_key_file.empty()) {
      return base::InvalidArgument("syslog_tls_listen needs syslog_tls_cert and syslog_tls_key");
    }
    s.ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    s.ssl_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                               ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                           ec);
    if (!ec) s.ssl_ctx->use_certificate_chain_file(s.options.tls_cert_file, ec);
    if (ec) return base::InvalidArgument("syslog_tls_cert \"" + s.options.tls_cert_file + "\": " + ec.message());
    s.ssl_ctx->use_private_key_file(s.options.tls_key_file, ssl::context::pem, ec);
    if (ec) return base::InvalidArgument("syslog_tls_key \"" + s.options.tls_key_file + "\": " + ec.message());
    auto ep = Resolve(s.ioc, s.options.tls_listen);
    if (!ep.ok()) return ep.status();
    RETURN_IF_ERROR(s.BindTcp(kTls, *ep));
  }
  if (s.udp_socket) s.ReceiveUdp();
  if (s.acceptors[kTcp]) s.Accept(kTcp);
  if (s.acceptors[kTls]) s.Accept(kTls);
  return base::Status::Ok();
}

void SyslogListener::Stop() {
  auto s = shared_;
  if (s->stopping.exchange(true)) return;
  for (int t : {kTcp, kTls}) {
    if (s->acceptors[t]) {
      net::post(s->acceptors[t]->get_executor(), [s, t] {
        boost::system::error_code ec;
        s->acceptors[t]->close(ec);
      });
    }
  }
  if (s->udp_socket) {
    net::post(s->udp_socket->get_executor(), [s] {
      boost::system::error_code ec;
      s->udp_socket->close(ec);
    });
  }
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(s->mu);
    for (auto& [id, weak] : s->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->Shutdown();
}

int64_t SyslogListener::InFlight() const { return shared_->in_flight.load(); }
std::string SyslogListener::UdpAddress() const { return shared_->addresses[kUdp]; }
std::string SyslogListener::TcpAddress() const { return shared_->addresses[kTcp]; }
std::string SyslogListener::TlsAddress() const { return shared_->addresses[kTls]; }

}  // namespace strata::server
