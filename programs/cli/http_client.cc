#include "cli/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "strata/server/version.h"

namespace strata::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

base::Result<ServerAddress> ParseServerAddress(std::string_view addr) {
  std::string_view rest = addr;
  if (rest.starts_with("https://")) {
    return base::InvalidArgument("https is not supported by the command-line client; use http:// (got \"" +
                                 std::string(addr) + "\")");
  }
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  ServerAddress out;
  size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    out.path_prefix = std::string(prefix);
  }
  // A bracketed IPv6 literal keeps its colons: [::1]:3100.
  size_t colon = std::string_view::npos;
  if (hostport.starts_with('[')) {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return base::InvalidArgument("bad address \"" + std::string(addr) + "\"");
    out.host = std::string(hostport.substr(1, close - 1));
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') colon = close + 1;
  } else {
    colon = hostport.rfind(':');
    out.host = std::string(hostport.substr(0, colon));
  }
  out.port = colon == std::string_view::npos ? "80" : std::string(hostport.substr(colon + 1));
  if (out.host.empty()) return base::InvalidArgument("no host in address \"" + std::string(addr) + "\"");
  if (out.port.empty() || out.port.find_first_not_of("0123456789") != std::string::npos || out.port.size() > 5) {
    return base::InvalidArgument("bad port in address \"" + std::string(addr) + "\"");
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    out += out.empty() ? '?' : '&';
    out += UrlEncode(k);
    out += '=';
    out += UrlEncode(v);
  }
  return out;
}

base::Result<HttpResponse> HttpGet(const ServerAddress& addr, const std::string& path, const Headers& headers,
                                   std::chrono::seconds timeout) {
  const std::string where = "http://" + addr.host + ":" + addr.port;
  // Beast reports failures as error codes here (no throwing overloads are used), so nothing escapes.
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(addr.host, addr.port, ec);
  if (ec) return base::Unavailable("cannot resolve " + addr.host + ": " + ec.message());
  stream.expires_after(timeout);
  stream.connect(endpoints, ec);
  if (ec) return base::Unavailable("cannot connect to " + where + ": " + ec.message());

  http::request<http::empty_body> req{http::verb::get, addr.path_prefix + path, 11};
  req.set(http::field::host, addr.host + ":" + addr.port);
  req.set(http::field::user_agent, std::string("strata-cli/") + server::kVersion);
  req.set(http::field::accept, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  http::write(stream, req, ec);
  if (ec) return base::Unavailable("sending the request to " + where + ": " + ec.message());

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  // A query answer is as large as the limit the user asked for. Not boost::none: Boost 1.74 compares the length
  // with the optional itself there, and an empty optional rejects every body.
  parser.body_limit(std::uint64_t{1} << 40);
  http::read(stream, buffer, parser, ec);
  if (ec == beast::error::timeout) {
    return base::Status(base::StatusCode::kDeadlineExceeded,
                        "no complete answer from " + where + " within " + std::to_string(timeout.count()) + "s");
  }
  if (ec) return base::Unavailable("reading the answer from " + where + ": " + ec.message());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);

  auto& res = parser.get();
  HttpResponse out;
  out.status = res.result_int();
  out.content_type = std::string(res[http::field::content_type]);
  out.body = std::move(res.body());
  return out;
}

}  // namespace strata::cli
