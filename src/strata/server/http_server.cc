#include "strata/server/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "strata/observability/log.h"
#include "strata/server/websocket_connection.h"

namespace strata::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const Router& router, const HttpServerOptions& options,
          std::shared_ptr<HttpServer::State> state)
      : stream_(std::move(socket)), router_(router), options_(options), state_(std::move(state)) {}

  void Start() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->body_limit(options_.max_body_bytes);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    // Beast reads at most the free capacity of the buffer (at least 512 bytes) per receive, and the buffer only
    // grows to the header's size: without room a 250 KB push body takes ~500 receives, each a strand dispatch and a
    // timer re-arm. Room for 64 KB reads (Beast's per-read maximum) makes it a handful.
    constexpr size_t kBodyReadBytes = 64 * 1024;
    if (auto length = parser_->content_length(); length && *length > 0 && buffer_.capacity() < kBodyReadBytes) {
      buffer_.reserve(static_cast<size_t>(std::min<uint64_t>(*length, kBodyReadBytes)));
    }
    auto& req = parser_->get();
    // Room after the body for decoders that read past its end (simdjson reads up to 64 bytes beyond the document), so
    // a JSON body is parsed in place instead of being copied into a padded buffer. Only when the length is known
    // and within the limit; the body reader's own reserve of the length then keeps this capacity.
    constexpr size_t kBodyPadding = 64;
    if (auto length = parser_->content_length(); length && *length > 0 && *length <= options_.max_body_bytes) {
      req.body().reserve(static_cast<size_t>(*length) + kBodyPadding);
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      // curl and others wait up to a second for this before sending a body.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      state_->in_flight++;
      Send(ErrorResponse(base::PayloadTooLarge("request body exceeds the limit of " +
                                               std::to_string(options_.max_body_bytes) + " bytes")));
      return;
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      // A malformed request: answer 400 once, then close.
      keep_alive_ = false;
      state_->in_flight++;
      Send(ErrorResponse(base::InvalidArgument("malformed HTTP request: " + ec.message())));
      return;
    }
    Close();
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    auto req = parser_->release();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_only_ = req.method() == http::verb::head;
    HttpRequest request;
    request.method = std::string(req.method_string());
    std::string_view target(req.target().data(), req.target().size());
    auto q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = ParseQueryString(target.substr(q + 1));
    for (const auto& h : req) request.headers.emplace_back(std::string(h.name_string()), std::string(h.value()));
    request.body = std::move(req.body());
    if (websocket::is_upgrade(req)) {
      if (auto upgrade = router_.Upgrade(request)) {
        if (upgrade->session) return RunWebSocket(std::move(stream_), std::move(req), std::move(*upgrade));
        keep_alive_ = false;  // a refused upgrade ends the connection, as the client expected a protocol switch
        state_->in_flight++;
        return Send(std::move(upgrade->reject));
      }
    }
    state_->in_flight++;
    stream_.expires_never();  // the handler may take a while (durability); don't time the connection out
    client_gone_ = std::make_shared<std::atomic<bool>>(false);
    request.client_gone = client_gone_;
    WatchForDisconnect();
    router_.Dispatch(std::move(request), [self = shared_from_this()](HttpResponse resp) {
      net::post(self->stream_.get_executor(),
                [self, resp = std::move(resp)]() mutable { self->Send(std::move(resp)); });
    });
  }

  // While a handler runs nothing reads the socket; a readable socket then means either the client closed it
  // (a peek reads 0 bytes or fails: flag the request so a query stops) or it pipelined its next request (leave the
  // bytes for ReadHeader and stop watching).
  void WatchForDisconnect() {
    watching_ = true;
    stream_.socket().async_wait(
        tcp::socket::wait_read,
        net::bind_executor(stream_.get_executor(), [self = shared_from_this(), flag = client_gone_](
                                                       beast::error_code ec) {
          if (ec == net::error::operation_aborted || !self->watching_ || flag != self->client_gone_) return;
          self->watching_ = false;
          if (ec) {
            flag->store(true);
            return;
          }
          // Never block the strand: readiness can be reported without data (then keep watching).
          char byte;
          ssize_t n = ::recv(self->stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return self->WatchForDisconnect();
          if (n <= 0) flag->store(true);
        }));
  }

  void StopWatching() {
    if (!watching_) return;
    watching_ = false;
    beast::error_code ec;
    stream_.socket().cancel(ec);  // only the wait is pending while a handler runs
  }

  bool KeepAlive() const { return keep_alive_ && !state_->stopping.load(); }

  template <typename Message>
  void FillHeaders(Message& msg, const HttpResponse& resp) {
    msg.set(http::field::server, "strata");
    msg.set(http::field::content_type, resp.content_type);
    for (const auto& [k, v] : resp.headers) msg.set(k, v);
    msg.keep_alive(KeepAlive());
  }

  void Send(HttpResponse resp) {
    StopWatching();
    if (resp.stream) return SendStream(std::move(resp));
    auto msg = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(resp.status), version_);
    FillHeaders(*msg, resp);
    msg->body() = std::move(resp.body);
    msg->prepare_payload();
    if (head_only_) msg->body().clear();
    http::async_write(stream_, *msg, [self = shared_from_this(), msg](beast::error_code ec, size_t) {
      self->OnResponseDone(ec, msg->keep_alive());
    });
  }

  void SendStream(HttpResponse resp) {
    producer_ = std::move(resp.stream);
    auto msg = std::make_shared<http::response<http::empty_body>>(static_cast<http::status>(resp.status), version_);
    FillHeaders(*msg, resp);
    msg->chunked(true);
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*msg);
    http::async_write_header(stream_, *sr, [self = shared_from_this(), msg, sr](beast::error_code ec, size_t) {
      if (ec) return self->OnResponseDone(ec, false);
      self->stream_keep_alive_ = msg->keep_alive();
      self->WriteNextChunk();
    });
  }

  void WriteNextChunk() {
    chunk_.clear();
    auto more = producer_(&chunk_);
    if (!more.ok()) {
      // The status is already sent; all we can do is end the stream without the terminating chunk so the client
      // sees a truncated body rather than a silently short one.
      observability::LogWarn("streamed response failed", {{"error", more.status().ToString()}});
      producer_ = nullptr;
      return OnResponseDone(net::error::operation_aborted, false);
    }
    bool last = !*more;
    auto after = [self = shared_from_this(), last](beast::error_code ec, size_t) {
      if (ec) return self->OnResponseDone(ec, false);
      if (last) {
        net::async_write(self->stream_, http::make_chunk_last(), [self](beast::error_code ec, size_t) {
          self->producer_ = nullptr;
          self->OnResponseDone(ec, self->stream_keep_alive_);
        });
      } else {
        self->WriteNextChunk();
      }
    };
    if (chunk_.empty()) {
      if (last) return after({}, 0);
      // Empty intermediate chunk: ask again without writing (a zero-size chunk would end the body).
      return net::post(stream_.get_executor(), [self = shared_from_this()] { self->WriteNextChunk(); });
    }
    net::async_write(stream_, http::make_chunk(net::buffer(chunk_)), std::move(after));
  }

  void OnResponseDone(beast::error_code ec, bool keep_alive) {
    state_->in_flight--;
    if (ec || !keep_alive || state_->stopping.load()) return Close();
    ReadHeader();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const Router& router_;
  const HttpServerOptions& options_;
  std::shared_ptr<HttpServer::State> state_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool watching_ = false;
  std::shared_ptr<std::atomic<bool>> client_gone_;
  bool head_only_ = false;
  bool stream_keep_alive_ = false;
  ChunkProducer producer_;
  std::string chunk_;
};

}  // namespace

class HttpServer::Listener : public std::enable_shared_from_this<HttpServer::Listener> {
 public:
  Listener(net::io_context& ioc, const Router& router, const HttpServerOptions& options,
           std::shared_ptr<State> state)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), router_(router), options_(options), state_(std::move(state)) {}

  base::Status Open() {
    auto colon = options_.listen.rfind(':');
    std::string host = options_.listen.substr(0, colon);
    std::string port = options_.listen.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(host, port, ec);
    if (ec || results.empty()) {
      return base::InvalidArgument("cannot resolve listen address " + options_.listen + ": " + ec.message());
    }
    tcp::endpoint ep = results.begin()->endpoint();
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return base::Unavailable("cannot listen on " + options_.listen + ": " + ec.message());
    return base::Status::Ok();
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }

  void Stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

  std::string Address() const {
    beast::error_code ec;
    auto ep = acceptor_.local_endpoint(ec);
    if (ec) return {};
    return ep.address().to_string() + ":" + std::to_string(ep.port());
  }

 private:
  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), router_, options_, state_)->Start();
    }
    Accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  const Router& router_;
  const HttpServerOptions& options_;
  std::shared_ptr<State> state_;
};

HttpServer::HttpServer(net::io_context& ioc, const Router& router, HttpServerOptions options)
    : ioc_(ioc), router_(router), options_(std::move(options)), state_(std::make_shared<State>()) {}

HttpServer::~HttpServer() = default;

base::Status HttpServer::Listen() {
  listener_ = std::make_shared<Listener>(ioc_, router_, options_, state_);
  RETURN_IF_ERROR(listener_->Open());
  listener_->Accept();
  return base::Status::Ok();
}

void HttpServer::StopAccepting() {
  state_->stopping.store(true);
  if (listener_) listener_->Stop();
}

std::string HttpServer::BoundAddress() const { return listener_ ? listener_->Address() : std::string(); }

}  // namespace strata::server
