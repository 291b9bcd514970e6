#include "strata/query/tail/tail_subscription.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace strata::query {

namespace {

// Identity of an entry for backfill/live de-duplication.
struct EntryKey {
  int64_t timestamp_ns;
  const std::string* line;
  const model::LabelSet* stream;
  bool operator==(const EntryKey& o) const {
    return timestamp_ns == o.timestamp_ns && *line == *o.line && *stream == *o.stream;
  }
};

struct EntryKeyHash {
  size_t operator()(const EntryKey& k) const {
    size_t h = std::hash<int64_t>()(k.timestamp_ns);
    h = h * 31 + std::hash<std::string>()(*k.line);
    for (const auto& f : *k.stream) h = h * 31 + std::hash<std::string>()(f.value);
    return h;
  }
};

}  // namespace

model::LabelSet MergedLabels(const LogEntry& entry) {
  model::LabelSet out;
  out.reserve(entry.stream.size() + entry.structured_metadata.size() + entry.parsed.size());
  out.insert(out.end(), entry.stream.begin(), entry.stream.end());
  out.insert(out.end(), entry.structured_metadata.begin(), entry.structured_metadata.end());
  out.insert(out.end(), entry.parsed.begin(), entry.parsed.end());
  // The builder keeps names distinct across sources; CanonicalizeLabels only sorts (and would let the last
  // duplicate win should one slip through).
  model::CanonicalizeLabels(out);
  return out;
}

TailSubscription::TailSubscription(std::string tenant, std::vector<storage::LabelMatcher> matchers,
                                   std::shared_ptr<const Pipeline> pipeline, TailOptions options, bool backfilling)
    : tenant_(std::move(tenant)),
      matchers_(std::move(matchers)),
      pipeline_(std::move(pipeline)),
      options_(options),
      backfilling_(backfilling) {}

TailSubscription::~TailSubscription() = default;

bool TailSubscription::Match(const model::LabelSet& labels) const {
  for (const auto& m : matchers_) {
    if (!m.Matches(labels)) return false;
  }
  return true;
}

void TailSubscription::DropLocked(const LogEntry& entry) {
  if (dropped_.size() < options_.max_dropped_reported) dropped_.push_back({MergedLabels(entry), entry.timestamp_ns});
  ++dropped_since_take_;
  dropped_total_.fetch_add(1, std::memory_order_relaxed);
}

void TailSubscription::PushLocked(LogEntry&& entry, TailClock::time_point arrived, std::deque<Pending>& queue) {
  if (queue.size() >= options_.max_queued_entries) return DropLocked(entry);
  queue.push_back({std::move(entry), arrived});
}

std::function<void()> TailSubscription::TakeListenerToCallLocked() {
  if (!listener_armed_ || !listener_) return nullptr;
  listener_armed_ = false;
  return listener_;
}

void TailSubscription::Offer(const model::LogBatch& batch, TailClock::time_point arrived) {
  if (cancelled()) return;
  std::vector<LogEntry> matched;
  const model::LabelSet* last_labels = nullptr;
  bool last_match = false;
  for (const auto& rec : batch.records) {
    // Batches usually hold runs of one stream: match each run once.
    if (last_labels == nullptr || *last_labels != rec.labels) {
      last_labels = &rec.labels;
      last_match = Match(rec.labels);
    }
    if (!last_match) continue;
    LogEntry e;
    e.timestamp_ns = rec.timestamp_ns;
    e.line = rec.message;
    builder_.Reset(rec.labels);
    // Storage keeps "" as "absent", and the query engine loads only non-empty fields: do the same here, so live and
    // backfilled entries agree.
    for (const auto& f : rec.fields) {
      if (!f.value.empty()) builder_.AddStructuredMetadata(f.name, f.value);
    }
    if (pipeline_ != nullptr && !pipeline_->Process(rec.timestamp_ns, e.line, builder_)) continue;
    e.stream = builder_.Of(LabelSource::kStream);
    e.structured_metadata = builder_.Of(LabelSource::kStructuredMetadata);
    e.parsed = builder_.Of(LabelSource::kParsed);
    matched.push_back(std::move(e));
  }
  if (matched.empty()) return;
  matched_total_.fetch_add(matched.size(), std::memory_order_relaxed);
  std::function<void()> call;
  {
    std::lock_guard lock(mu_);
    if (closed_.has_value()) return;
    const uint64_t dropped_before = dropped_since_take_;
    for (auto& e : matched) PushLocked(std::move(e), arrived, backfilling_ ? live_during_backfill_ : queue_);
    // With a delay the consumer polls at NextDue(); drops are news either way.
    bool news = !backfilling_ && (options_.delay.count() == 0 || dropped_since_take_ != dropped_before);
    if (news) call = TakeListenerToCallLocked();
  }
  if (call) call();
}

void TailSubscription::CountLost(uint64_t records) {
  if (records == 0) return;
  std::function<void()> call;
  {
    std::lock_guard lock(mu_);
    dropped_since_take_ += records;
    dropped_total_.fetch_add(records, std::memory_order_relaxed);
    call = TakeListenerToCallLocked();
  }
  if (call) call();
}

void TailSubscription::CompleteBackfill(base::Result<std::vector<LogEntry>> backfill) {
  if (!backfill.ok()) return Close(backfill.status());
  std::function<void()> call;
  {
    std::lock_guard lock(mu_);
    if (!backfilling_) return;
    backfilling_ = false;
    // Live entries that the backfill also saw: remove one backfilled copy per live copy.
    std::unordered_map<EntryKey, size_t, EntryKeyHash> live;
    for (const auto& p : live_during_backfill_) {
      ++live[EntryKey{p.entry.timestamp_ns, &p.entry.line, &p.entry.stream}];
    }
    std::deque<Pending> merged;
    for (auto& e : backfill.value()) {
      auto it = live.find(EntryKey{e.timestamp_ns, &e.line, &e.stream});
      if (it != live.end() && it->second > 0) {
        --it->second;
        continue;
      }
      // Backfilled entries are due at once: they are history, not subject to delay_for.
      merged.push_back({std::move(e), TailClock::time_point::min()});
    }
    for (auto& p : live_during_backfill_) merged.push_back(std::move(p));
    live_during_backfill_.clear();
    // The backfill is bounded by the query limit; the live part by max_queued_entries. The client gets both.
    for (auto& p : queue_) merged.push_back(std::move(p));
    queue_ = std::move(merged);
    call = TakeListenerToCallLocked();
  }
  if (call) call();
}

void TailSubscription::Close(base::Status status) {
  std::function<void()> call;
  {
    std::lock_guard lock(mu_);
    if (closed_.has_value()) return;
    closed_ = std::move(status);
    call = TakeListenerToCallLocked();
  }
  cancelled_.store(true, std::memory_order_relaxed);
  if (call) call();
}

void TailSubscription::Cancel() {
  cancelled_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  if (!closed_.has_value()) closed_ = base::Status::Ok();
  listener_ = nullptr;
}

void TailSubscription::SetListener(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
  listener_armed_ = true;
}

TailBatch TailSubscription::Take(size_t max_entries, TailClock::time_point now) {
  TailBatch out;
  std::lock_guard lock(mu_);
  listener_armed_ = true;
  out.dropped = std::move(dropped_);
  dropped_.clear();
  out.dropped_count = dropped_since_take_;
  dropped_since_take_ = 0;
  if (backfilling_) return out;
  if (options_.delay.count() == 0) {
    size_t n = std::min(max_entries, queue_.size());
    out.entries.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      out.entries.push_back(std::move(queue_.front().entry));
      queue_.pop_front();
    }
    return out;
  }
  // Delay: the due prefix (arrival order is queue order), whole, so that nothing due stays behind an entry taken.
  size_t due = 0;
  while (due < queue_.size() && queue_[due].arrived + options_.delay <= now) ++due;
  if (due == 0) return out;
  std::map<model::LabelSet, int64_t> newest;  // per stream, the newest due timestamp
  for (size_t i = 0; i < due; ++i) {
    auto [it, inserted] = newest.emplace(queue_[i].entry.stream, queue_[i].entry.timestamp_ns);
    if (!inserted) it->second = std::max(it->second, queue_[i].entry.timestamp_ns);
  }
  std::deque<Pending> rest;
  for (size_t i = 0; i < queue_.size(); ++i) {
    Pending& p = queue_[i];
    bool take = i < due;
    if (!take) {
      // Not due yet but older than something due in its stream: sending it later would break the order.
      auto it = newest.find(p.entry.stream);
      take = it != newest.end() && p.entry.timestamp_ns < it->second;
    }
    if (take) {
      out.entries.push_back(std::move(p.entry));
    } else {
      rest.push_back(std::move(p));
    }
  }
  queue_ = std::move(rest);
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const LogEntry& a, const LogEntry& b) { return a.timestamp_ns < b.timestamp_ns; });
  return out;
}

std::optional<TailClock::time_point> TailSubscription::NextDue() const {
  std::lock_guard lock(mu_);
  if (backfilling_ || queue_.empty()) return std::nullopt;
  if (options_.delay.count() == 0) return queue_.front().arrived;
  return queue_.front().arrived + options_.delay;
}

std::optional<base::Status> TailSubscription::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

bool TailSubscription::backfilling() const {
  std::lock_guard lock(mu_);
  return backfilling_;
}

}  // namespace strata::query
