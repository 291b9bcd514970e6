#include "strata/server/handlers/loki_params.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "strata/common/text.h"
#include "strata/model/time_format.h"

namespace strata::server::loki {
namespace {

constexpr int64_t kSecond = 1000000000;
constexpr int64_t kMaxNs = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinNs = std::numeric_limits<int64_t>::min();

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) { return a.size() == b.size() && StartsWithNoCase(a, b); }

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMaxNs : kMinNs;
  return r;
}

int64_t SaturatingMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return (a < 0) != (b < 0) ? kMinNs : kMaxNs;
  return r;
}

// A double to int64 the way Go's conversion behaves for in-range values; out-of-range values saturate (Go's result
// is implementation-defined there).
int64_t ClampToInt64(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9.2233720368547758e18) return kMaxNs;
  if (v <= -9.2233720368547758e18) return kMinNs;
  return static_cast<int64_t>(v);
}

// Go's strconv.ParseFloat(s, 64) for decimal input: optional sign, digits with an optional fraction and exponent,
// or inf/infinity/nan in any case. Out-of-range values are errors (Go returns ±Inf with ErrRange).
std::optional<double> ParseGoFloat(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  if (EqualsNoCase(s, "inf") || EqualsNoCase(s, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (EqualsNoCase(s, "nan")) return std::numeric_limits<double>::quiet_NaN();
  // from_chars would also take "inf"/"nan(...)" spellings Go rejects; only let digits, '.', 'e' and signs through.
  for (char c : s) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return std::nullopt;
    }
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return negative ? -v : v;
}

// Go's strconv.ParseInt(s, 10, 64) with its error text.
base::Result<int64_t> GoParseInt(std::string_view s, std::string_view fn) {
  auto fail = [&](const char* why) {
    return base::InvalidArgument("strconv." + std::string(fn) + ": parsing " + GoQuote(s) + ": " + why);
  };
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) return fail("invalid syntax");
  uint64_t v = 0;
  bool overflow = false;
  for (char c : digits) {
    if (c < '0' || c > '9') return fail("invalid syntax");
    if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) overflow = true;
    if (!overflow) v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  const uint64_t limit = negative ? uint64_t(1) << 63 : (uint64_t(1) << 63) - 1;
  if (overflow || v > limit) return fail("value out of range");
  return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

// time.Parse(time.RFC3339Nano, s): YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm). The shape is checked here (our
// ISO-8601 parser is more lenient), the arithmetic is model::ParseIso8601's.
std::optional<int64_t> ParseRfc3339Nano(std::string_view s) {
  auto digit = [&](size_t i) { return i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); };
  if (s.size() < 20) return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (!digit(i)) return std::nullopt;
  }
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t first = i;
    while (digit(i)) ++i;
    if (i == first) return std::nullopt;
  }
  std::string_view zone = s.substr(i);
  bool zone_ok = zone == "Z" || (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digit(i + 1) &&
                                 digit(i + 2) && zone[3] == ':' && digit(i + 4) && digit(i + 5));
  if (!zone_ok) return std::nullopt;
  auto t = model::ParseIso8601(s);
  if (!t.ok()) return std::nullopt;
  return *t;
}

base::Result<uint32_t> PositiveLimit(std::string_view value, uint32_t def) {
  if (value.empty()) return def;
  ASSIGN_OR_RETURN(int64_t l, GoAtoi(value));
  if (l <= 0) return base::InvalidArgument("limit must be a positive value");
  // Loki keeps the low 32 bits here; saturating is the kinder reading of a huge limit (it is checked against
  // max_entries_limit_per_query afterwards anyway).
  return l > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max() : static_cast<uint32_t>(l);
}

base::Result<storage::Direction> ParseDirection(std::string_view value) {
  if (value.empty()) return storage::Direction::kBackward;
  if (EqualsNoCase(value, "backward")) return storage::Direction::kBackward;
  if (EqualsNoCase(value, "forward")) return storage::Direction::kForward;
  return base::InvalidArgument("invalid direction '" + std::string(value) + "'");
}

base::Result<int64_t> ParseStep(const LokiParams& params, int64_t start_ns, int64_t end_ns) {
  std::string_view value = params.Get("step");
  if (value.empty()) return DefaultStepNs(start_ns, end_ns);
  return ParseSecondsOrDuration(value);
}

base::Status CheckStep(int64_t step_ns, int64_t start_ns, int64_t end_ns) {
  if (step_ns <= 0) {
    return base::InvalidArgument(
        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  if ((end_ns - start_ns) / step_ns > kMaxPointsPerSeries) {
    return base::InvalidArgument(
        "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step "
        "parameter");
  }
  return base::Status::Ok();
}

base::Status CheckOrder(const Bounds& b) {
  if (b.end_ns < b.start_ns) return base::InvalidArgument("end timestamp must not be before or equal to start time");
  return base::Status::Ok();
}

}  // namespace

LokiParams LokiParams::From(const HttpRequest& request) {
  std::vector<std::pair<std::string, std::string>> values;
  const bool has_body = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (has_body && StartsWithNoCase(request.Header("Content-Type"), "application/x-www-form-urlencoded")) {
    values = ParseQueryString(request.body);
  }
  values.insert(values.end(), request.query.begin(), request.query.end());
  return LokiParams(std::move(values));
}

std::string_view LokiParams::Get(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return v;
  }
  return {};
}

std::vector<std::string> LokiParams::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

std::string GoQuote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = common::Utf8SequenceLength(s, i);
      if (n == 0) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

base::Result<int64_t> GoAtoi(std::string_view s) { return GoParseInt(s, "Atoi"); }

base::Result<int64_t> ParseTimestamp(std::string_view value, int64_t def) {
  if (value.empty()) return def;
  if (value.find('.') != std::string_view::npos) {
    if (auto t = ParseGoFloat(value); t && std::isfinite(*t)) {
      double whole = 0;
      double frac = std::modf(*t, &whole);
      frac = std::round(frac * 1000) / 1000;  // Loki keeps milliseconds
      return SaturatingAdd(SaturatingMul(ClampToInt64(whole), kSecond), ClampToInt64(frac * 1e9));
    }
  }
  auto n = GoParseInt(value, "ParseInt");
  if (!n.ok()) {
    if (auto t = ParseRfc3339Nano(value)) return *t;
    return n.status();
  }
  if (value.size() <= 10) return SaturatingMul(*n, kSecond);
  return *n;
}

base::Result<int64_t> ParsePromDuration(std::string_view value) {
  if (value == "0") return int64_t{0};
  if (value.empty()) return base::InvalidArgument("empty duration string");
  struct Unit {
    std::string_view name;
    uint64_t mult;
    int pos;
  };
  static constexpr uint64_t kMs = 1000000;
  static constexpr Unit kUnits[] = {
      {"y", 365ull * 24 * 3600 * 1000 * kMs, 1}, {"w", 7ull * 24 * 3600 * 1000 * kMs, 2},
      {"d", 24ull * 3600 * 1000 * kMs, 3},       {"h", 3600ull * 1000 * kMs, 4},
      {"m", 60ull * 1000 * kMs, 5},              {"s", 1000 * kMs, 6},
      {"ms", kMs, 7},
  };
  const std::string invalid = "not a valid duration string: " + GoQuote(value);
  std::string_view s = value;
  uint64_t total = 0;
  int last_pos = 0;
  auto isdigit = [](char c) { return c >= '0' && c <= '9'; };
  while (!s.empty()) {
    if (!isdigit(s[0])) return base::InvalidArgument(invalid);
    size_t i = 0;
    uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && isdigit(s[i]); ++i) {
      if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) overflow = true;
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    }
    if (overflow) return base::InvalidArgument(invalid);
    s.remove_prefix(i);
    for (i = 0; i < s.size() && !isdigit(s[i]); ++i) {
    }
    if (i == 0) return base::InvalidArgument(invalid);
    std::string_view unit_name = s.substr(0, i);
    s.remove_prefix(i);
    const Unit* unit = nullptr;
    for (const auto& u : kUnits) {
      if (u.name == unit_name) unit = &u;
    }
    if (unit == nullptr) {
      return base::InvalidArgument("unknown unit " + GoQuote(unit_name) + " in duration " + GoQuote(value));
    }
    if (unit->pos <= last_pos) return base::InvalidArgument(invalid);
    last_pos = unit->pos;
    if (v > (uint64_t(1) << 63) / unit->mult) return base::InvalidArgument("duration out of range");
    total += v * unit->mult;
    if (total > uint64_t(kMaxNs)) return base::InvalidArgument("duration out of range");
  }
  return static_cast<int64_t>(total);
}

base::Result<int64_t> ParseSecondsOrDuration(std::string_view value) {
  if (auto d = ParseGoFloat(value)) {
    double ns = *d * 1e9;
    if (ns > 9.2233720368547758e18 || ns < -9.2233720368547758e18) {
      return base::InvalidArgument("cannot parse " + GoQuote(value) + " to a valid duration. It overflows int64");
    }
    return ClampToInt64(ns);
  }
  if (auto d = ParsePromDuration(value); d.ok()) return *d;
  return base::InvalidArgument("cannot parse " + GoQuote(value) + " to a valid duration");
}

base::Result<Bounds> DetermineBounds(int64_t now_ns, std::string_view start, std::string_view end,
                                     std::string_view since) {
  int64_t since_ns = kDefaultSinceNs;
  if (!since.empty()) {
    auto d = ParsePromDuration(since);
    if (!d.ok()) return base::InvalidArgument("could not parse 'since' parameter: " + d.status().message());
    since_ns = *d;
  }
  auto e = ParseTimestamp(end, now_ns);
  if (!e.ok()) return base::InvalidArgument("could not parse 'end' parameter: " + e.status().message());
  // A future end would push the default start into the future too; Loki anchors the lookback at now then.
  const int64_t end_or_now = *e > now_ns ? now_ns : *e;
  auto s = ParseTimestamp(start, SaturatingAdd(end_or_now, -since_ns));
  if (!s.ok()) return base::InvalidArgument("could not parse 'start' parameter: " + s.status().message());
  return Bounds{*s, *e};
}

base::Result<Bounds> ParseBounds(const LokiParams& params, int64_t now_ns) {
  return DetermineBounds(now_ns, params.Get("start"), params.Get("end"), params.Get("since"));
}

int64_t DefaultStepNs(int64_t start_ns, int64_t end_ns) {
  const double seconds = std::floor((static_cast<double>(end_ns) - static_cast<double>(start_ns)) / 1e9 / 250);
  return seconds < 1 ? kSecond : SaturatingMul(ClampToInt64(seconds), kSecond);
}

namespace {

base::Result<RangeQueryParams> ParseRange(const LokiParams& params, int64_t now_ns,
                                          std::optional<uint32_t> limit_override) {
  RangeQueryParams r;
  r.query = std::string(params.Get("query"));
  ASSIGN_OR_RETURN(Bounds b, ParseBounds(params, now_ns));
  RETURN_IF_ERROR(CheckOrder(b));
  r.start_ns = b.start_ns;
  r.end_ns = b.end_ns;
  if (limit_override) {
    r.limit = *limit_override;
  } else {
    ASSIGN_OR_RETURN(r.limit, PositiveLimit(params.Get("limit"), kDefaultQueryLimit));
  }
  ASSIGN_OR_RETURN(r.direction, ParseDirection(params.Get("direction")));
  ASSIGN_OR_RETURN(r.step_ns, ParseStep(params, r.start_ns, r.end_ns));
  RETURN_IF_ERROR(CheckStep(r.step_ns, r.start_ns, r.end_ns));
  if (std::string_view interval = params.Get("interval"); !interval.empty()) {
    ASSIGN_OR_RETURN(r.interval_ns, ParseSecondsOrDuration(interval));
  }
  if (r.interval_ns < 0) return base::InvalidArgument("interval must be >= 0");
  return r;
}

}  // namespace

base::Result<RangeQueryParams> ParseRangeQuery(const LokiParams& params, int64_t now_ns) {
  return ParseRange(params, now_ns, std::nullopt);
}

base::Result<InstantQueryParams> ParseInstantQuery(const LokiParams& params, int64_t now_ns) {
  InstantQueryParams r;
  r.query = std::string(params.Get("query"));
  ASSIGN_OR_RETURN(r.limit, PositiveLimit(params.Get("limit"), kDefaultQueryLimit));
  ASSIGN_OR_RETURN(r.time_ns, ParseTimestamp(params.Get("time"), now_ns));
  ASSIGN_OR_RETURN(r.direction, ParseDirection(params.Get("direction")));
  return r;
}

base::Status CheckMaxEntriesLimit(uint64_t limit, uint64_t max_entries) {
  if (max_entries != 0 && limit > max_entries) {
    return base::InvalidArgument("max entries limit per query exceeded, limit > max_entries_limit_per_query (" +
                                 std::to_string(limit) + " > " + std::to_string(max_entries) + ")");
  }
  return base::Status::Ok();
}

base::Result<VolumeParams> ParseVolumeQuery(const LokiParams& params, int64_t now_ns, bool range) {
  VolumeParams v;
  uint32_t limit = kDefaultVolumeLimit;
  if (std::string_view l = params.Get("limit"); !l.empty()) {
    ASSIGN_OR_RETURN(int64_t n, GoAtoi(l));
    if (n < 0) return base::InvalidArgument("limit must be a positive value");
    if (n > 0) limit = n > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max() : uint32_t(n);
  }
  // Loki then parses the request as a range query (limit 0 having been replaced by the default).
  if (range) {
    ASSIGN_OR_RETURN(RangeQueryParams parsed, ParseRange(params, now_ns, limit));
    v.query = parsed.query;
    v.start_ns = parsed.start_ns;
    v.end_ns = parsed.end_ns;
    v.step_ns = parsed.step_ns;
  } else {
    v.query = std::string(params.Get("query"));
    ASSIGN_OR_RETURN(Bounds b, ParseBounds(params, now_ns));
    RETURN_IF_ERROR(CheckOrder(b));
    if (std::string_view d = params.Get("direction"); !d.empty()) RETURN_IF_ERROR(ParseDirection(d).status());
    v.start_ns = b.start_ns;
    v.end_ns = b.end_ns;
  }
  v.limit = limit;
  std::string_view aggregate = params.Get("aggregateBy");
  if (aggregate == "labels") {
    v.aggregate_by_labels = true;
  } else if (!aggregate.empty() && aggregate != "series") {
    return base::InvalidArgument("invalid aggregation option");
  }
  std::string_view targets = params.Get("targetLabels");
  while (!targets.empty()) {
    size_t comma = targets.find(',');
    v.target_labels.emplace_back(targets.substr(0, comma));
    if (comma == std::string_view::npos) break;
    targets.remove_prefix(comma + 1);
    if (targets.empty()) v.target_labels.emplace_back();  // "a," names an empty label, as Go's Split does
  }
  return v;
}

base::Result<DetectedFieldsParams> ParseDetectedFieldsQuery(const LokiParams& params, int64_t now_ns) {
  DetectedFieldsParams r;
  r.query = std::string(params.Get("query"));
  ASSIGN_OR_RETURN(Bounds b, ParseBounds(params, now_ns));
  RETURN_IF_ERROR(CheckOrder(b));
  r.start_ns = b.start_ns;
  r.end_ns = b.end_ns;
  ASSIGN_OR_RETURN(r.line_limit, PositiveLimit(params.Get("line_limit"), kDefaultQueryLimit));
  std::string_view limit = params.Get("limit");
  if (limit.empty()) limit = params.Get("field_limit");
  ASSIGN_OR_RETURN(r.limit, PositiveLimit(limit, kDefaultFieldLimit));
  ASSIGN_OR_RETURN(r.step_ns, ParseStep(params, r.start_ns, r.end_ns));
  RETURN_IF_ERROR(CheckStep(r.step_ns, r.start_ns, r.end_ns));
  return r;
}

base::Result<PatternsParams> ParsePatternsQuery(const LokiParams& params, int64_t now_ns) {
  PatternsParams r;
  r.query = std::string(params.Get("query"));
  ASSIGN_OR_RETURN(Bounds b, ParseBounds(params, now_ns));
  RETURN_IF_ERROR(CheckOrder(b));
  r.start_ns = b.start_ns;
  r.end_ns = b.end_ns;
  ASSIGN_OR_RETURN(r.step_ns, ParseStep(params, r.start_ns, r.end_ns));
  RETURN_IF_ERROR(CheckStep(r.step_ns, r.start_ns, r.end_ns));
  return r;
}

std::vector<std::string> SeriesMatchers(const LokiParams& params) {
  std::vector<std::string> out;
  auto add = [&](std::vector<std::string> values) {
    for (auto& v : values) {
      bool seen = false;
      for (const auto& o : out) seen = seen || o == v;
      if (!seen) out.push_back(std::move(v));
    }
  };
  add(params.GetAll("match"));
  add(params.GetAll("match[]"));
  return out;
}

bool CategorizeLabels(const HttpRequest& request) {
  std::string_view flags = request.Header("X-Loki-Response-Encoding-Flags");
  while (!flags.empty()) {
    size_t comma = flags.find(',');
    if (flags.substr(0, comma) == "categorize-labels") return true;
    if (comma == std::string_view::npos) break;
    flags.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace strata::server::loki
