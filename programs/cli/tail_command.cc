#include "cli/tail_command.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <csignal>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/http_client.h"
#include "cli/loki_response.h"
#include "cli/output_format.h"
#include "strata/server/version.h"

namespace strata::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

CLI::App* AddTailCommand(CLI::App& app, TailOptions& options) {
  CLI::App* cmd = app.add_subcommand("tail", "Follow new log entries of a LogQL query live (WebSocket tail)");
  cmd->add_option("query", options.query, "LogQL log query")->required();
  cmd->add_option("--since", options.since, "First print the entries of this long ago up to now")
      ->capture_default_str();
  cmd->add_option("--start", options.start, "Start (RFC3339 or Unix seconds/ns); overrides --since");
  cmd->add_option("--limit", options.limit, "Most entries of the initial look-back to print")
      ->capture_default_str();
  cmd->add_option("--delay-for", options.delay_for, "Seconds the server waits to order late entries (0-5)")
      ->capture_default_str();
  AddClientFlags(cmd, options.client);
  return cmd;
}

namespace {

// One tail session on a single-threaded io_context: a read loop and a signal watcher. Every handler runs on the
// one thread that calls Run(), so the members need no locking.
class TailSession {
 public:
  TailSession(OutputMode mode) : ws_(ioc_), signals_(ioc_, SIGINT, SIGTERM), mode_(mode) {}

  int Run(const ServerAddress& addr, const std::string& target, const std::string& org_id) {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(addr.host, addr.port, ec);
    if (ec) return Fail("cannot resolve " + addr.host + ": " + ec.message());
    auto& tcp_stream = beast::get_lowest_layer(ws_);
    tcp_stream.expires_after(std::chrono::seconds(30));
    tcp_stream.connect(endpoints, ec);
    if (ec) return Fail("cannot connect to http://" + addr.host + ":" + addr.port + ": " + ec.message());
    // From here the websocket's own timeouts apply; the tcp_stream timer must be off for them to work.
    tcp_stream.expires_never();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeouts.handshake_timeout = std::chrono::seconds(30);
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
      req.set(http::field::user_agent, std::string("strata-cli/") + server::kVersion);
      if (!org_id.empty()) req.set("X-Scope-OrgID", org_id);
    }));
    // Asynchronous even though nothing else runs yet: Boost 1.74's synchronous handshake drops the response on a
    // refused upgrade, and its status and body are what the user needs to see.
    ws_.async_handshake(handshake_response_, addr.host + ":" + addr.port, addr.path_prefix + target,
                        [this, timeouts](beast::error_code ec) mutable {
                          if (ec) {
                            const auto& res = handshake_response_;
                            if (res.result_int() != 101 && ec == websocket::error::upgrade_declined) {
                              HttpResponse r{static_cast<int>(res.result_int()),
                                             std::string(res[http::field::content_type]), res.body()};
                              exit_code_ = Fail(ServerError(r).message());
                            } else {
                              exit_code_ = Fail("WebSocket upgrade failed: " + ec.message());
                            }
                            // The stream's handshake timer stays armed after a refusal; nothing is left to do.
                            ioc_.stop();
                            return;
                          }
                          // The closing handshake after Ctrl-C should not hang on a server that never answers.
                          timeouts.handshake_timeout = std::chrono::seconds(3);
                          ws_.set_option(timeouts);
                          WaitSignal();
                          Read();
                        });
    ioc_.run();
    return exit_code_;
  }

 private:
  int Fail(const std::string& message) {
    std::cerr << "strata tail: " << message << "\n";
    return 1;
  }

  void WaitSignal() {
    signals_.async_wait([this](beast::error_code ec, int) {
      if (ec || done_) return;
      if (interrupted_) {
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        return;
      }
      interrupted_ = true;
      ws_.async_close(websocket::close_code::normal, [](beast::error_code) {});
      WaitSignal();
    });
  }

  void Read() {
    buffer_.clear();
    ws_.async_read(buffer_, [this](beast::error_code ec, size_t) {
      if (ec) return Finish(ec);
      PrintFrame(beast::buffers_to_string(buffer_.data()));
      Read();
    });
  }

  void PrintFrame(const std::string& text) {
    auto frame = ParseTailFrame(text);
    if (!frame.ok()) {
      std::cerr << "strata tail: skipping a frame: " << frame.status().message() << "\n";
      return;
    }
    std::vector<PrintedEntry> entries;
    for (const auto& s : frame->streams) {
      for (const auto& e : s.entries) entries.push_back({&s.labels, &e});
    }
    // A frame may carry several streams; print in time order as logcli does.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const PrintedEntry& a, const PrintedEntry& b) { return a.entry->ts_ns < b.entry->ts_ns; });
    PrintEntries(std::cout, mode_, entries);
    std::cout.flush();
    if (!frame->dropped.empty()) {
      std::cerr << "strata tail: the server dropped " << frame->dropped.size()
                << " entries because this client read too slowly:\n";
      for (const auto& [labels, ts] : frame->dropped) {
        std::cerr << "  " << FormatRfc3339NanoTrimmed(ts) << " " << FormatLabels(labels) << "\n";
      }
    }
  }

  void Finish(beast::error_code ec) {
    done_ = true;
    signals_.cancel();
    if (interrupted_) {
      exit_code_ = 0;
      return;
    }
    // A received close frame decides, whatever the transport did afterwards: a server may drop the TCP connection
    // right after its close frame, and the teardown then fails with ENOTCONN or a reset.
    const auto& reason = ws_.reason();
    if (ec == websocket::error::closed || reason.code != websocket::close_code::none) {
      if (reason.code == websocket::close_code::normal) {
        exit_code_ = 0;
        return;
      }
      std::string why(reason.reason.data(), reason.reason.size());
      exit_code_ = Fail("the server ended the tail with close code " + std::to_string(reason.code) +
                        (why.empty() ? "" : ": " + why));
      return;
    }
    exit_code_ = Fail("connection lost: " + ec.message());
  }

  net::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  net::signal_set signals_;
  beast::flat_buffer buffer_;
  websocket::response_type handshake_response_;
  OutputMode mode_;
  bool interrupted_ = false;
  bool done_ = false;
  int exit_code_ = 1;
};

}  // namespace

int RunTail(const TailOptions& o) {
  auto fail = [](const base::Status& st) {
    std::cerr << "strata tail: " << st.message() << "\n";
    return 2;
  };
  auto addr = ParseServerAddress(o.client.addr);
  if (!addr.ok()) return fail(addr.status());
  auto mode = ParseOutputMode(o.client.output);
  if (!mode.ok()) return fail(mode.status());
  if (o.limit <= 0) return fail(base::InvalidArgument("--limit must be positive"));
  if (o.delay_for < 0 || o.delay_for > 5) return fail(base::InvalidArgument("--delay-for must be 0 to 5 seconds"));
  int64_t start;
  if (!o.start.empty()) {
    auto t = ParseTimeFlag("--start", o.start);
    if (!t.ok()) return fail(t.status());
    start = *t;
  } else {
    auto since = ParseDurationFlag("--since", o.since);
    if (!since.ok()) return fail(since.status());
    start = NowNanos() - *since;
  }
  std::vector<std::pair<std::string, std::string>> params = {
      {"query", o.query},
      {"limit", std::to_string(o.limit)},
      {"start", std::to_string(start)},
  };
  if (o.delay_for > 0) params.emplace_back("delay_for", std::to_string(o.delay_for));
  TailSession session(*mode);
  return session.Run(*addr, "/loki/api/v1/tail" + QueryString(params), o.client.org_id);
}

}  // namespace strata::cli
