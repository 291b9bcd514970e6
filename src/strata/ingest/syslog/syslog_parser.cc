#include "strata/ingest/syslog/syslog_parser.h"

#include <array>
#include <optional>
#include <string>
#include <unordered_map>

#include "strata/model/level.h"
#include "strata/model/time_format.h"

namespace strata::ingest::syslog {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kNanosPerDay = 86400 * kNanosPerSecond;

constexpr std::array<std::string_view, 24> kFacilities = {
    "kern", "user",     "mail", "daemon", "auth",  "syslog", "lpr",    "news",   "uucp",   "cron",   "authpriv", "ftp",
    "ntp",  "audit",    "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6",   "local7"};
constexpr std::array<std::string_view, 8> kSeverities = {"emerg",  "alert", "crit", "err",
                                                          "warning", "notice", "info", "debug"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "<PRI>" with 1-3 digits and a value of at most 191; returns the priority and advances `s` past it.
std::optional<int> ParsePri(std::string_view& s) {
  if (s.size() < 3 || s[0] != '<') return std::nullopt;
  size_t i = 1;
  int v = 0;
  while (i < s.size() && i <= 3 && IsDigit(s[i])) v = v * 10 + (s[i++] - '0');
  if (i == 1 || i >= s.size() || s[i] != '>' || v > 191) return std::nullopt;
  // A leading zero is only allowed for PRI 0 itself ("<0>"), as RFC 5424 §6.2.1 says.
  if (i > 2 && s[1] == '0') return std::nullopt;
  s.remove_prefix(i + 1);
  return v;
}

// Cuts the next SP-delimited token (the SP is consumed). False when no SP follows.
bool NextToken(std::string_view& s, std::string_view* token) {
  auto sp = s.find(' ');
  if (sp == std::string_view::npos || sp == 0) return false;
  *token = s.substr(0, sp);
  s.remove_prefix(sp + 1);
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse, in integer arithmetic).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int YearOf(int64_t ns) {
  return static_cast<int>(model::UtcDayOf(ns) / 10000);
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// "Mmm dd hh:mm:ss[.frac]" (dd space-padded, zero-padded or a single digit); advances past it.
std::optional<int64_t> ParseBsdTimestamp(std::string_view& s, int64_t receive_time_ns) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() < 14 || s[3] != ' ') return std::nullopt;
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (s.substr(0, 3) == kMonths[i]) month = i + 1;
  }
  if (month == 0) return std::nullopt;
  size_t i = 4;
  if (s[i] == ' ') ++i;  // space-padded day
  int day = 0, digits = 0;
  while (i < s.size() && IsDigit(s[i]) && digits < 2) day = day * 10 + (s[i++] - '0'), ++digits;
  if (digits == 0 || i >= s.size() || s[i] != ' ') return std::nullopt;
  ++i;
  if (s.size() < i + 8 || s[i + 2] != ':' || s[i + 5] != ':') return std::nullopt;
  auto two = [&](size_t at) -> int {
    if (!IsDigit(s[at]) || !IsDigit(s[at + 1])) return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  int hh = two(i), mm = two(i + 3), ss = two(i + 6);
  if (hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  i += 8;
  int64_t frac_ns = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = kNanosPerSecond / 10;
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) {
      frac_ns += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  if (i < s.size() && s[i] != ' ') return std::nullopt;
  int year = YearOf(receive_time_ns);
  auto at = [&](int y) -> std::optional<int64_t> {
    if (day < 1 || day > DaysInMonth(y, month)) return std::nullopt;
    return DaysFromCivil(y, month, day) * kNanosPerDay +
           (static_cast<int64_t>(hh) * 3600 + mm * 60 + ss) * kNanosPerSecond + frac_ns;
  };
  std::optional<int64_t> ts = at(year);
  // A message stamped late in December and received early in January belongs to the year before.
  if (!ts || *ts > receive_time_ns + kNanosPerDay) {
    if (auto prev = at(year - 1)) ts = prev;
  }
  if (!ts) return std::nullopt;
  s.remove_prefix(i < s.size() ? i + 1 : i);
  return ts;
}

bool IsTagChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '.' || c == '_' || c == '-' ||
         c == '/';
}

// "TAG: ", "TAG[PID]: ": returns the tag and pid and advances past the colon and one space.
bool ParseTag(std::string_view& s, std::string_view* tag, std::string_view* pid) {
  size_t i = 0;
  while (i < s.size() && i < 48 && IsTagChar(s[i])) ++i;
  if (i == 0 || i >= s.size()) return false;
  std::string_view t = s.substr(0, i), p;
  if (s[i] == '[') {
    auto close = s.find(']', i);
    if (close == std::string_view::npos || close - i > 129) return false;
    p = s.substr(i + 1, close - i - 1);
    i = close + 1;
  }
  if (i >= s.size() || s[i] != ':') return false;
  ++i;
  if (i < s.size() && s[i] == ' ') ++i;
  *tag = t;
  *pid = p;
  s.remove_prefix(i);
  return true;
}

void AddPriorityLabels(int pri, model::LogRecord& r) {
  r.labels.push_back({"facility", std::string(kFacilities[pri / 8])});
  r.labels.push_back({"level", model::NormalizeLevel(kSeverities[pri % 8])});
}

class Fields {
 public:
  explicit Fields(std::vector<model::Field>& out) : out_(out) {}
  void Set(std::string name, std::string value) {
    auto [it, inserted] = index_.emplace(name, out_.size());
    if (inserted) {
      out_.push_back({std::move(name), std::move(value)});
    } else {
      out_[it->second].value = std::move(value);
    }
  }

 private:
  std::vector<model::Field>& out_;
  std::unordered_map<std::string, size_t> index_;
};

bool IsSdNameChar(char c) {
  return c > 32 && c < 127 && c != '=' && c != ']' && c != '"';
}

// STRUCTURED-DATA after the header: "-" or one or more [ID PARAM="VALUE" ...]. Advances past it.
bool ParseStructuredData(std::string_view& s, Fields& fields) {
  if (!s.empty() && s[0] == '-') {
    s.remove_prefix(1);
    return true;
  }
  if (s.empty() || s[0] != '[') return false;
  while (!s.empty() && s[0] == '[') {
    size_t i = 1;
    while (i < s.size() && IsSdNameChar(s[i])) ++i;
    if (i == 1 || i > 33 || i >= s.size()) return false;
    std::string id(s.substr(1, i - 1));
    bool any_param = false;
    while (i < s.size() && s[i] == ' ') {
      ++i;
      size_t name_start = i;
      while (i < s.size() && IsSdNameChar(s[i])) ++i;
      if (i == name_start || i - name_start > 32 || i + 1 >= s.size() || s[i] != '=' || s[i + 1] != '"') return false;
      std::string name(s.substr(name_start, i - name_start));
      i += 2;
      std::string value;
      bool closed = false;
      while (i < s.size()) {
        char c = s[i++];
        if (c == '\\' && i < s.size() && (s[i] == '"' || s[i] == '\\' || s[i] == ']')) {
          value += s[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;  // a backslash before any other character stays (RFC 5424 §6.3.3)
        }
      }
      if (!closed) return false;
      fields.Set("sd." + id + "." + name, std::move(value));
      any_param = true;
    }
    if (i >= s.size() || s[i] != ']') return false;
    if (!any_param) fields.Set("sd." + id, "");
    s.remove_prefix(i + 1);
  }
  return true;
}

bool Nil(std::string_view token) { return token == "-"; }

// RFC 5424 after PRI; false when the header or structured data does not follow the grammar.
bool ParseRfc5424(std::string_view s, const ParseOptions& options, model::LogRecord& r) {
  std::string_view version, timestamp, hostname, app, procid, msgid;
  size_t v = 0;
  while (v < s.size() && v < 3 && IsDigit(s[v])) ++v;
  if (v == 0 || s[0] == '0' || v >= s.size() || s[v] != ' ') return false;
  s.remove_prefix(v + 1);
  if (!NextToken(s, &timestamp) || !NextToken(s, &hostname) || !NextToken(s, &app) || !NextToken(s, &procid) ||
      !NextToken(s, &msgid)) {
    return false;
  }
  int64_t ts = options.receive_time_ns;
  if (!Nil(timestamp)) {
    auto parsed = model::ParseIso8601(timestamp);
    if (!parsed.ok()) return false;
    ts = *parsed;
  }
  std::vector<model::Field> fields;
  Fields set(fields);
  if (!Nil(procid)) set.Set("procid", std::string(procid));
  if (!Nil(msgid)) set.Set("msgid", std::string(msgid));
  if (!ParseStructuredData(s, set)) return false;
  if (!s.empty()) {
    if (s[0] != ' ') return false;
    s.remove_prefix(1);
    if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  }
  r.timestamp_ns = ts;
  if (!Nil(hostname)) r.labels.push_back({"host", std::string(hostname)});
  if (!Nil(app)) r.labels.push_back({"service", std::string(app)});
  r.fields = std::move(fields);
  r.message = std::string(s);
  return true;
}

void ParseRfc3164(std::string_view s, const ParseOptions& options, model::LogRecord& r) {
  r.timestamp_ns = options.receive_time_ns;
  std::optional<int64_t> ts = ParseBsdTimestamp(s, options.receive_time_ns);
  if (!ts && s.size() >= 10 && IsDigit(s[0]) && s[4] == '-') {
    // rsyslog's forwarding template: an RFC 3339 timestamp in the BSD layout.
    std::string_view copy = s, token;
    if (NextToken(copy, &token)) {
      if (auto parsed = model::ParseIso8601(token); parsed.ok()) {
        ts = *parsed;
        s = copy;
      }
    }
  }
  if (!ts) {
    r.message = std::string(s);
    return;
  }
  r.timestamp_ns = *ts;
  std::string_view tag, pid;
  std::string_view probe = s;
  if (!ParseTag(probe, &tag, &pid)) {
    std::string_view copy = s, host;
    if (NextToken(copy, &host)) {
      r.labels.push_back({"host", std::string(host)});
      s = copy;
    } else if (!s.empty() && s.find(' ') == std::string_view::npos) {
      // "<13>Oct 11 22:14:15 host" and nothing else: no content.
      r.labels.push_back({"host", std::string(s)});
      s = {};
    }
    probe = s;
    if (!ParseTag(probe, &tag, &pid)) tag = {};
  }
  if (!tag.empty()) {
    r.labels.push_back({"service", std::string(tag)});
    if (!pid.empty()) r.fields.push_back({"procid", std::string(pid)});
    s = probe;
  }
  r.message = std::string(s);
}

}  // namespace

std::string_view FacilityName(int facility) {
  return facility >= 0 && facility < 24 ? kFacilities[facility] : std::string_view();
}

std::string_view SeverityName(int severity) {
  return severity >= 0 && severity < 8 ? kSeverities[severity] : std::string_view();
}

base::Result<ParsedMessage> ParseSyslogMessage(std::string_view message, const ParseOptions& options) {
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r' || message.back() == '\0')) {
    message.remove_suffix(1);
  }
  if (message.empty()) return base::InvalidArgument("empty");
  if (message.size() > options.max_message_bytes) {
    return base::PayloadTooLarge("message too long: " + std::to_string(message.size()) + " bytes > limit " +
                                 std::to_string(options.max_message_bytes));
  }
  ParsedMessage out;
  model::LogRecord& r = out.record;
  std::string_view rest = message;
  std::optional<int> pri = ParsePri(rest);
  if (!pri) {
    out.format = Format::kRaw;
    r.timestamp_ns = options.receive_time_ns;
    r.message = std::string(message);
    AddPriorityLabels(13, r);
  } else if (!rest.empty() && IsDigit(rest[0]) && ParseRfc5424(rest, options, r)) {
    out.format = Format::kRfc5424;
    AddPriorityLabels(*pri, r);
  } else if (!rest.empty() && IsDigit(rest[0]) && rest.size() > 1 && (rest[1] == ' ' || IsDigit(rest[1])) &&
             rest.substr(0, 4).find('-') == std::string_view::npos && rest.find(' ') <= 3) {
    // Looked like RFC 5424 (a VERSION) but the rest broke the grammar: keep the whole line.
    out.format = Format::kRaw;
    r = model::LogRecord();
    r.timestamp_ns = options.receive_time_ns;
    r.message = std::string(message);
    AddPriorityLabels(*pri, r);
  } else {
    out.format = Format::kRfc3164;
    r = model::LogRecord();
    ParseRfc3164(rest, options, r);
    AddPriorityLabels(*pri, r);
  }
  for (const auto& l : options.extra_labels) r.labels.push_back(l);
  model::CanonicalizeLabels(r.labels);
  return out;
}

}  // namespace strata::ingest::syslog
