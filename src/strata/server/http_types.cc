#include "strata/server/http_types.h"

#include <strings.h>

#include "strata/common/json_writer.h"
#include "strata/common/text.h"

namespace strata::server {
namespace {

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && common::HexDigitValue(s[i + 1]) >= 0 &&
               common::HexDigitValue(s[i + 2]) >= 0) {
      out += static_cast<char>(common::HexDigitValue(s[i + 1]) * 16 + common::HexDigitValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

std::string_view HttpRequest::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return {};
}

bool HttpRequest::HasQuery(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return true;
  }
  return false;
}

HttpResponse ErrorResponse(const base::Status& status, const std::string& details_json) {
  HttpResponse r;
  r.status = base::HttpStatusFor(status.code());
  r.body = "{\"error\":";
  common::AppendJsonString(r.body, status.message());
  r.body += ",\"code\":";
  common::AppendJsonString(r.body, base::StatusCodeName(status.code()));
  r.body += ",\"details\":" + details_json + "}";
  if (status.code() == base::StatusCode::kResourceExhausted || status.code() == base::StatusCode::kUnavailable) {
    r.headers.emplace_back("Retry-After", "1");
  }
  return r;
}

std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view qs) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!qs.empty()) {
    auto amp = qs.find('&');
    std::string_view part = qs.substr(0, amp);
    qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(PercentDecode(part), "");
    } else {
      out.emplace_back(PercentDecode(part.substr(0, eq)), PercentDecode(part.substr(eq + 1)));
    }
  }
  return out;
}

}  // namespace strata::server
