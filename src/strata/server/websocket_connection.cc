#include "strata/server/websocket_connection.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <optional>

#include "strata/observability/log.h"

namespace strata::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

// A client that does not take its last messages gets this long after Close before the socket is cut.
constexpr auto kCloseGrace = std::chrono::seconds(5);

class Connection final : public WebSocketConnection, public std::enable_shared_from_this<Connection> {
 public:
  Connection(beast::tcp_stream&& stream, WebSocketUpgrade upgrade)
      : ws_(std::move(stream)),
        executor_(ws_.get_executor()),
        timer_(executor_),
        session_(std::move(upgrade.session)),
        options_(upgrade.options) {}

  void Start(http::request<http::string_body> request) {
    // The HTTP layer's per-operation timeouts stop here; the websocket stream's own timeouts take over.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    // No idle timeout: a client may legitimately read nothing for a while (its messages are then dropped by the
    // session, not queued); our own pings keep proxies from closing the connection.
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "strata"); }));
    ws_.read_message_max(options_.max_incoming_message_bytes);
    auto req = std::make_shared<http::request<http::string_body>>(std::move(request));
    ws_.async_accept(*req, [self = shared_from_this(), req](beast::error_code ec) {
      if (ec) {
        observability::LogDebug("websocket handshake failed", {{"error", ec.message()}});
        return self->Finish(kWsCloseAbnormal);
      }
      self->last_ping_ = std::chrono::steady_clock::now();
      self->session_->OnOpen(self);
      self->Read();
      self->ScheduleTick();
    });
  }

  void SendText(std::string message) override {
    pending_.fetch_add(1, std::memory_order_relaxed);
    net::post(executor_, [self = shared_from_this(), message = std::move(message)]() mutable {
      if (self->ended_ || self->close_.has_value()) {
        self->pending_.fetch_sub(1, std::memory_order_relaxed);
        return;
      }
      self->outbox_.push_back(std::move(message));
      self->WriteNext();
    });
  }

  void Close(uint16_t code, std::string reason) override {
    net::post(executor_, [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
      if (self->ended_ || self->close_.has_value()) return;
      websocket::close_reason cr(code);
      // A close frame's payload is at most 125 bytes: 2 for the code, the rest for the reason.
      if (reason.size() > 123) reason.resize(123);
      cr.reason = reason;
      self->close_ = cr;
      self->close_deadline_ = std::chrono::steady_clock::now() + kCloseGrace;
      self->WriteNext();
    });
  }

  void Post(std::function<void()> fn) override {
    net::post(executor_, [self = shared_from_this(), fn = std::move(fn)] {
      if (!self->ended_) fn();
    });
  }

  size_t PendingMessages() const override { return pending_.load(std::memory_order_relaxed); }

 private:
  void Read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (self->ended_) return;
      if (ec) {
        // The client's close frame (its code), or the connection broke (1006).
        uint16_t code = ec == websocket::error::closed ? static_cast<uint16_t>(self->ws_.reason().code)
                                                       : kWsCloseAbnormal;
        if (self->close_.has_value() && ec == websocket::error::closed) code = self->close_->code;
        return self->Finish(code);
      }
      std::string text = beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      self->session_->OnMessage(text);
      self->Read();
    });
  }

  void WriteNext() {
    if (ended_ || writing_) return;
    if (outbox_.empty()) {
      if (close_.has_value() && !close_sent_) {
        close_sent_ = true;
        ws_.async_close(*close_, [self = shared_from_this()](beast::error_code) {
          self->Finish(self->close_->code);
        });
      }
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      self->writing_ = false;
      if (self->ended_) return;
      self->outbox_.pop_front();
      self->pending_.fetch_sub(1, std::memory_order_relaxed);
      if (ec) return self->Finish(kWsCloseAbnormal);
      if (!self->outbox_.empty() || self->close_.has_value()) return self->WriteNext();
      self->session_->OnWritable();
    });
  }

  void ScheduleTick() {
    timer_.expires_after(options_.tick_interval);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->ended_) return;
      auto now = std::chrono::steady_clock::now();
      if (self->close_.has_value()) {
        if (now >= self->close_deadline_) return self->Finish(self->close_->code);
      } else {
        if (!self->ping_in_flight_ && now - self->last_ping_ >= self->options_.ping_interval) {
          self->ping_in_flight_ = true;
          self->last_ping_ = now;
          // A ping may be outstanding together with a message write (Beast queues it behind the write).
          self->ws_.async_ping({}, [self](beast::error_code) { self->ping_in_flight_ = false; });
        }
        self->session_->OnTick();
      }
      if (!self->ended_) self->ScheduleTick();
    });
  }

  void Finish(uint16_t code) {
    if (ended_) return;
    ended_ = true;
    timer_.cancel();
    pending_.fetch_sub(outbox_.size(), std::memory_order_relaxed);
    outbox_.clear();
    std::shared_ptr<WebSocketSession> session = std::move(session_);
    if (session) session->OnClosed(code);
    // Cancels whatever is still pending (a write to a client that stopped reading, the read); their handlers see
    // ended_ and return, releasing the last references.
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  websocket::stream<beast::tcp_stream> ws_;
  const beast::tcp_stream::executor_type executor_;
  net::steady_timer timer_;
  std::shared_ptr<WebSocketSession> session_;
  const WebSocketOptions options_;
  beast::flat_buffer in_;
  std::deque<std::string> outbox_;
  std::atomic<size_t> pending_{0};
  bool writing_ = false;
  bool ping_in_flight_ = false;
  bool ended_ = false;
  bool close_sent_ = false;
  std::optional<websocket::close_reason> close_;
  std::chrono::steady_clock::time_point close_deadline_;
  std::chrono::steady_clock::time_point last_ping_;
};

}  // namespace

void RunWebSocket(beast::tcp_stream stream, http::request<http::string_body> request, WebSocketUpgrade upgrade) {
  std::make_shared<Connection>(std::move(stream), std::move(upgrade))->Start(std::move(request));
}

}  // namespace strata::server
