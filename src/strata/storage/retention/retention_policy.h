#pragma once
// RetentionPolicy: how long rows are kept. Per tenant (default 7 days, 1-365 days allowed), and per stream
// selector (e.g. {level="DEBUG"} kept 1 day): the shortest matching rule wins for a stream. Whole partitions
// (days) are dropped once every row in them is expired under the longest period that could apply; per-stream
// rules are applied when parts are rewritten (merges) and by rewriting partitions that hold expired streams.
// Immutable after construction; thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/storage/stream_selector.h"

namespace strata::storage {

struct StreamRetentionRule {
  StreamSelector selector;
  int64_t period_ns = 0;
  std::string tenant;  // empty = every tenant
};

class RetentionPolicy {
 public:
  static constexpr int64_t kDay = 86400LL * 1000000000LL;

  RetentionPolicy() = default;
  RetentionPolicy(int64_t default_period_ns, std::map<std::string, int64_t> tenant_periods,
                  std::vector<StreamRetentionRule> stream_rules);

  // Period for a tenant (its own, else the default).
  int64_t TenantPeriod(const std::string& tenant) const;
  // Period for a stream of a tenant: the shortest of the tenant period and every matching stream rule.
  int64_t StreamPeriod(const std::string& tenant, const model::LabelSet& labels) const;
  bool HasStreamRules(const std::string& tenant) const;

 private:
  int64_t default_period_ns_ = 7 * kDay;
  std::map<std::string, int64_t> tenant_periods_;
  std::vector<StreamRetentionRule> stream_rules_;
};

// "7d", "24h", "90m", "1d12h" -> ns. Retention periods must be 1-365 days for tenants (checked by the caller).
// Grammar: one or more <digits><unit>, units w, d, h, m, s, each at most once and from the largest to the
// smallest (as Prometheus writes durations); surrounding spaces are ignored. InvalidArgument quoting the text.
base::Result<int64_t> ParseDuration(std::string_view text);
// The inverse for whole seconds: 7d, 1d12h, 90s -> 1m30s, 0 -> 0s (days rather than weeks, for readability).
std::string FormatDuration(int64_t ns);

}  // namespace strata::storage
