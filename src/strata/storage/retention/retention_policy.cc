#include "strata/storage/retention/retention_policy.h"

#include <algorithm>
#include <limits>

namespace strata::storage {

RetentionPolicy::RetentionPolicy(int64_t default_period_ns, std::map<std::string, int64_t> tenant_periods,
                                 std::vector<StreamRetentionRule> stream_rules)
    : default_period_ns_(default_period_ns),
      tenant_periods_(std::move(tenant_periods)),
      stream_rules_(std::move(stream_rules)) {}

int64_t RetentionPolicy::TenantPeriod(const std::string& tenant) const {
  auto it = tenant_periods_.find(tenant);
  return it == tenant_periods_.end() ? default_period_ns_ : it->second;
}

int64_t RetentionPolicy::StreamPeriod(const std::string& tenant, const model::LabelSet& labels) const {
  int64_t period = TenantPeriod(tenant);
  for (const auto& rule : stream_rules_) {
    if (!rule.tenant.empty() && rule.tenant != tenant) continue;
    // A rule cannot lengthen retention: checking the period first skips the matcher work for such rules.
    if (rule.period_ns >= period) continue;
    if (rule.selector.MatchesStream(labels)) period = rule.period_ns;
  }
  return period;
}

bool RetentionPolicy::HasStreamRules(const std::string& tenant) const {
  return std::any_of(stream_rules_.begin(), stream_rules_.end(),
                     [&](const StreamRetentionRule& r) { return r.tenant.empty() || r.tenant == tenant; });
}

namespace {

constexpr int64_t kSecond = 1000000000LL;

// Units from the largest to the smallest; a duration names each at most once, in this order.
struct Unit {
  char name;
  int64_t ns;
};
constexpr Unit kUnits[] = {{'w', 7 * RetentionPolicy::kDay},
                           {'d', RetentionPolicy::kDay},
                           {'h', 3600 * kSecond},
                           {'m', 60 * kSecond},
                           {'s', kSecond}};

base::Status BadDuration(std::string_view text, std::string_view why) {
  return base::InvalidArgument("invalid duration \"" + std::string(text) + "\": " + std::string(why) +
                               " (expected e.g. 7d, 24h, 90m or 1d12h; units w, d, h, m, s)");
}

}  // namespace

base::Result<int64_t> ParseDuration(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t.empty()) return BadDuration(text, "empty");
  int64_t total = 0;
  size_t next_unit = 0;  // index into kUnits of the largest unit still allowed
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] < '0' || t[i] > '9') return BadDuration(text, "expected a number");
    int64_t n = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (n > (std::numeric_limits<int64_t>::max() - 9) / 10) return BadDuration(text, "too large");
      n = n * 10 + (t[i] - '0');
      ++i;
    }
    if (i == t.size()) return BadDuration(text, "missing unit");
    size_t u = next_unit;
    while (u < std::size(kUnits) && kUnits[u].name != t[i]) ++u;
    if (u == std::size(kUnits)) {
      bool known = std::any_of(std::begin(kUnits), std::end(kUnits), [&](const Unit& k) { return k.name == t[i]; });
      return BadDuration(text, known ? "units must go from the largest to the smallest, each once"
                                     : "unknown unit '" + std::string(1, t[i]) + "'");
    }
    ++i;
    if (n > (std::numeric_limits<int64_t>::max() - total) / kUnits[u].ns) return BadDuration(text, "too large");
    total += n * kUnits[u].ns;
    next_unit = u + 1;
  }
  return total;
}

std::string FormatDuration(int64_t ns) {
  int64_t secs = ns / kSecond;
  if (secs <= 0) return "0s";
  std::string out;
  for (const Unit& u : kUnits) {
    if (u.name == 'w') continue;
    int64_t per = u.ns / kSecond;
    if (secs >= per) {
      out += std::to_string(secs / per) + u.name;
      secs %= per;
    }
  }
  return out;
}

}  // namespace strata::storage
