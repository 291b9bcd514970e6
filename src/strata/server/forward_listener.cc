#include "strata/server/forward_listener.h"

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <cctype>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "strata/base/clock.h"
#include "strata/common/msgpack.h"
#include "strata/ingest/forward/forward_decoder.h"
#include "strata/observability/log.h"

namespace strata::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using ingest::forward::Mode;

namespace {

constexpr size_t kReadBytes = 64 * 1024;
constexpr size_t kMaxBatchRecords = 100'000;

class ForwardProbe {
 public:
  explicit ForwardProbe(observability::Registry& r)
      : messages_(r.AddCounter("strata_forward_messages_total", "Forward protocol messages received, by mode.",
                               {"mode"})),
        records_(r.AddCounter("strata_forward_records_total", "Forward protocol records handed to ingest.", {})
                     .WithLabels({})),
        bytes_(r.AddCounter("strata_forward_received_bytes_total", "Bytes received by the forward listener.", {})
                   .WithLabels({})),
        rejected_(r.AddCounter("strata_forward_rejected_total", "Forward records (or connections) refused, by reason.",
                               {"reason"})),
        acks_(r.AddCounter("strata_forward_acks_total", "Chunk acknowledgements sent.", {}).WithLabels({})),
        connections_(r.AddCounter("strata_forward_connections_total", "Forward connections accepted.", {})
                         .WithLabels({})),
        open_(r.AddGauge("strata_forward_open_connections", "Forward connections open now.", {}).WithLabels({})) {
    for (Mode m : {Mode::kHeartbeat, Mode::kMessage, Mode::kForward, Mode::kPackedForward,
                   Mode::kCompressedPackedForward}) {
      mode_children_[static_cast<int>(m)] = &messages_.WithLabels({std::string(ingest::forward::ModeName(m))});
    }
  }

  void Message(Mode m) { mode_children_[static_cast<int>(m)]->Inc(); }
  void Records(size_t n) { records_.Inc(static_cast<double>(n)); }
  void Bytes(size_t n) { bytes_.Inc(static_cast<double>(n)); }
  void Rejected(std::string_view reason, size_t n) {
    rejected_.WithLabels({std::string(reason)}).Inc(static_cast<double>(n));
  }
  void Acks(size_t n) { acks_.Inc(static_cast<double>(n)); }
  void Opened() {
    connections_.Inc();
    open_.Add(1);
  }
  void Closed() { open_.Add(-1); }

 private:
  observability::Family<observability::Counter>& messages_;
  observability::Counter& records_;
  observability::Counter& bytes_;
  observability::Family<observability::Counter>& rejected_;
  observability::Counter& acks_;
  observability::Counter& connections_;
  observability::Gauge& open_;
  observability::Counter* mode_children_[5];
};

// "time: expected ..." -> "time", "line too long: ..." -> "line_too_long".
std::string ReasonLabel(const std::string& reason) {
  std::string label = reason.substr(0, reason.find(':'));
  for (char& c : label) c = (c == ' ' || c == '-') ? '_' : static_cast<char>(std::tolower(c));
  return label.empty() ? "other" : label;
}

bool Retryable(const base::Status& st) {
  return st.code() == base::StatusCode::kResourceExhausted || st.code() == base::StatusCode::kUnavailable;
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Shutdown() = 0;
};

}  // namespace

struct ForwardListener::Shared : std::enable_shared_from_this<ForwardListener::Shared> {
  Shared(net::io_context& io, ingest::IngestSink& s, observability::Registry& registry, ForwardListenerOptions o)
      : ioc(io), sink(s), options(std::move(o)), probe(registry) {}

  net::io_context& ioc;
  ingest::IngestSink& sink;
  const ForwardListenerOptions options;
  ForwardProbe probe;
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> in_flight{0};
  std::atomic<int> open{0};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::string address;
  std::mutex mu;
  uint64_t next_session = 0;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions;

  void Reject(std::string_view reason, size_t n) {
    if (n == 0) return;
    probe.Rejected(reason, n);
    sink.CountRejected(options.tenant, reason, n);
  }
  // See SyslogListener::Shared::BeginIngest for why the increment comes first.
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
  void Accept();
  void OnAccept(boost::system::error_code ec, tcp::socket socket);
};

namespace {

using Shared = ForwardListener::Shared;

// One connection, on its own strand. The buffer holds [consumed_, size): complete messages waiting for the sink
// ([consumed_, scan_base_), listed in pending_) and the start of the next one ([scan_base_, size), which scanner_
// has walked as far as it could).
class Session : public SessionBase, public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Shared> shared, tcp::socket socket)
      : shared_(std::move(shared)),
        stream_(std::move(socket)),
        scanner_(common::msgpack::Limits().max_depth),
        timer_(stream_.get_executor()) {
    shared_->probe.Opened();
  }
  ~Session() override {
    shared_->Unregister(id_);
    shared_->open.fetch_sub(1);
    shared_->probe.Closed();
  }

  void Start() {
    id_ = shared_->Register(weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      self->Close();
    });
  }

 private:
  void Read() {
    if (closed_) return;
    if (consumed_ > 0) {
      buffer_.erase(0, consumed_);
      scan_base_ -= consumed_;
      consumed_ = 0;
    }
    const size_t old = buffer_.size();
    buffer_.resize(old + kReadBytes);
    stream_.expires_after(std::chrono::seconds(shared_->options.idle_timeout_seconds));
    stream_.async_read_some(net::buffer(buffer_.data() + old, kReadBytes),
                            [self = shared_from_this(), old](boost::system::error_code ec, size_t n) {
                              self->buffer_.resize(old + n);
                              self->OnRead(ec, n);
                            });
  }

  void OnRead(boost::system::error_code ec, size_t n) {
    if (closed_) return;
    if (n > 0) shared_->probe.Bytes(n);
    if (ec) closing_ = true;  // EOF, timeout, reset: finish what is complete, then close
    if (ec == net::error::operation_aborted) return Close();
    Scan();
    Process();
  }

  // Finds every complete message in the buffer and lists it in pending_.
  void Scan() {
    while (!framing_error_) {
      std::string_view rest = std::string_view(buffer_).substr(scan_base_);
      switch (scanner_.Scan(rest)) {
        case common::msgpack::Scanner::State::kIncomplete:
          if (rest.size() > shared_->options.max_message_bytes) {
            shared_->Reject("too_large", 1);
            observability::LogDebug("forward message over the limit",
                                    {{"limit", std::to_string(shared_->options.max_message_bytes)}});
            framing_error_ = true;
          }
          return;
        case common::msgpack::Scanner::State::kError:
          shared_->Reject("malformed", 1);
          observability::LogDebug("forward stream is not msgpack", {{"error", scanner_.error()}});
          framing_error_ = true;
          return;
        case common::msgpack::Scanner::State::kComplete:
          if (scanner_.end() > shared_->options.max_message_bytes) {
            shared_->Reject("too_large", 1);
            framing_error_ = true;
            return;
          }
          pending_.emplace_back(scan_base_, scanner_.end());
          scan_base_ += scanner_.end();
          scanner_.Reset();
          break;
      }
    }
  }

  // Decodes the pending messages into one batch and hands it to the sink (or answers at once when it is empty).
  void Process() {
    if (closed_) return;
    if (pending_.empty()) {
      if (!framing_error_ && !closing_) return Read();
      if (closing_ && !framing_error_ && buffer_.size() > scan_base_) shared_->Reject("truncated", 1);
      return Close();
    }
    ingest::forward::DecodeOptions options;
    options.labels = shared_->options.labels;
    options.max_line_bytes = shared_->options.max_line_bytes;
    options.max_fields = shared_->options.max_fields;
    options.max_decompressed_bytes = shared_->options.max_decompressed_bytes;
    options.receive_time_ns = base::SystemClock::Get().NowNanos();
    std::vector<model::LogRecord> batch;
    acks_.clear();
    ack_count_ = 0;
    batch_messages_ = 0;
    const bool counting = !retrying_;  // a retried batch was counted the first time
    for (const auto& [offset, size] : pending_) {
      ++batch_messages_;
      auto decoded = ingest::forward::DecodeForwardMessage(std::string_view(buffer_).substr(offset, size), options);
      if (!decoded.ok()) {
        if (counting) {
          shared_->Reject("malformed", 1);
          observability::LogDebug("invalid forward message", {{"error", decoded.status().ToString()}});
        }
        continue;
      }
      if (counting) {
        shared_->probe.Message(decoded->mode);
        for (const auto& r : decoded->rejected) shared_->Reject(ReasonLabel(r.reason), 1);
      }
      if (decoded->chunk) {
        acks_ += ingest::forward::EncodeAck(*decoded->chunk);
        ++ack_count_;
      }
      if (batch.empty()) {
        batch = std::move(decoded->records);
      } else {
        for (auto& r : decoded->records) batch.push_back(std::move(r));
      }
      if (batch.size() > kMaxBatchRecords) break;  // (rare) the rest waits for the next round
    }
    if (batch.empty()) return Durable(base::Status::Ok());
    const size_t n = batch.size();
    if (!shared_->BeginIngest()) {
      shared_->Reject("unavailable", n);
      return Close();
    }
    base::Status st = shared_->sink.Ingest(shared_->options.tenant, std::move(batch),
                                           [self = shared_from_this(), n](const base::Status& durable) {
                                             self->shared_->EndIngest();
                                             net::post(self->stream_.get_executor(),
                                                       [self, durable, n] { self->OnDurable(durable, n); });
                                           });
    if (st.ok()) return;
    shared_->EndIngest();
    if (Retryable(st) && !shared_->stopping.load()) {
      // The messages stay in the buffer; decode them again after a pause, reading nothing meanwhile.
      retrying_ = true;
      retry_delay_ms_ = std::min(retry_delay_ms_ == 0 ? 20 : retry_delay_ms_ * 2, 1000);
      timer_.expires_after(std::chrono::milliseconds(retry_delay_ms_));
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->closed_ || self->shared_->stopping.load()) return self->Close();
        self->Process();
      });
      return;
    }
    // Not retryable and not the client's fault to fix by resending: drop, count, and acknowledge.
    shared_->Reject("other", n);
    Durable(base::Status::Ok());
  }

  void OnDurable(const base::Status& durable, size_t n) {
    if (durable.ok()) shared_->probe.Records(n);
    Durable(durable);
  }

  void Durable(const base::Status& durable) {
    if (closed_) return;
    if (!durable.ok()) {
      // No acks: the client sends these chunks again.
      observability::LogWarn("forward batch not durable", {{"error", durable.ToString()}});
      return Close();
    }
    // The batch's messages are done; a batch cut at kMaxBatchRecords leaves the rest pending for the next round.
    retrying_ = false;
    retry_delay_ms_ = 0;
    if (batch_messages_ > 0) {
      consumed_ = pending_[batch_messages_ - 1].first + pending_[batch_messages_ - 1].second;
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(batch_messages_));
      batch_messages_ = 0;
    }
    if (acks_.empty()) return Process();
    auto out = std::make_shared<std::string>(std::move(acks_));
    const size_t count = ack_count_;
    acks_.clear();
    ack_count_ = 0;
    net::async_write(stream_, net::buffer(*out),
                     [self = shared_from_this(), out, count](boost::system::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->shared_->probe.Acks(count);
                       self->Process();
                     });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  std::shared_ptr<Shared> shared_;
  beast::tcp_stream stream_;
  common::msgpack::Scanner scanner_;
  net::steady_timer timer_;
  std::string buffer_;
  size_t consumed_ = 0;
  size_t scan_base_ = 0;
  std::vector<std::pair<size_t, size_t>> pending_;  // offset, size of complete messages not yet durable
  std::string acks_;
  size_t ack_count_ = 0;
  size_t batch_messages_ = 0;  // pending_ messages in the batch being ingested
  uint64_t id_ = 0;
  int retry_delay_ms_ = 0;
  bool retrying_ = false;
  bool framing_error_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace

void ForwardListener::Shared::Accept() {
  acceptor->async_accept(net::make_strand(ioc), [self = shared_from_this()](boost::system::error_code ec,
                                                                            tcp::socket socket) {
    self->OnAccept(ec, std::move(socket));
  });
}

void ForwardListener::Shared::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping.load() || !acceptor->is_open()) return;
  if (!ec) {
    if (open.fetch_add(1) >= options.max_connections) {
      open.fetch_sub(1);
      Reject("connection_limit", 1);
      socket.close(ec);
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(shared_from_this(), std::move(socket))->Start();
    }
  }
  Accept();
}

ForwardListener::ForwardListener(net::io_context& ioc, ingest::IngestSink& sink, observability::Registry& registry,
                                 ForwardListenerOptions options)
    : shared_(std::make_shared<Shared>(ioc, sink, registry, std::move(options))) {}

ForwardListener::~ForwardListener() { Stop(); }

base::Status ForwardListener::Start() {
  Shared& s = *shared_;
  if (s.options.listen.empty()) return base::Status::Ok();
  const std::string& listen = s.options.listen;
  auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  std::string port = colon == std::string::npos ? "" : listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code ec;
  tcp::resolver resolver(s.ioc);
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) {
    return base::InvalidArgument("cannot resolve forward_listen " + listen + ": " + ec.message());
  }
  tcp::endpoint ep = results.begin()->endpoint();
  auto acceptor = std::make_unique<tcp::acceptor>(net::make_strand(s.ioc));
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    base::Status st = base::Unavailable("cannot listen on " + listen + " (forward): " + ec.message());
    if (!s.options.optional) return st;
    observability::LogWarn("forward listener not started", {{"error", st.ToString()}});
    return base::Status::Ok();
  }
  auto local = acceptor->local_endpoint(ec);
  s.address = local.address().to_string() + ":" + std::to_string(local.port());
  s.acceptor = std::move(acceptor);
  s.Accept();
  return base::Status::Ok();
}

void ForwardListener::Stop() {
  auto s = shared_;
  if (s->stopping.exchange(true)) return;
  if (s->acceptor) {
    net::post(s->acceptor->get_executor(), [s] {
      boost::system::error_code ec;
      s->acceptor->close(ec);
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

int64_t ForwardListener::InFlight() const { return shared_->in_flight.load(); }
std::string ForwardListener::BoundAddress() const { return shared_->address; }

}  // namespace strata::server
