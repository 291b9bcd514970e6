// StorageEngine maintenance: merges (MergeOnce), retention (ApplyRetention), delete purges (ProcessDeletes) and
// the background thread that runs them (MaintenanceLoop).
//
// Every operation holds maintenance_mu_ for its whole run, so at most one of them changes the part sets at a
// time; flushes still add parts concurrently (Replace only removes the ids it names). The heavy work (reading
// inputs, writing the new part) runs without state_mu_; publishing is Partition::Replace, which swaps the inputs
// for the output under the partition's own mutex, so a scan sees either every input or the output.
//
// Every rewrite applies one drop filter (DropFilter below): rows expired under the retention policy and rows
// covered by an active (pending or processed) delete request of the tenant. Merges therefore purge too.
//
// Partitions are only erased from partitions_ here, under maintenance_mu_: the Partition pointers an operation
// snapshots stay valid for the whole operation.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <limits>
#include <map>

#include "strata/base/clock.h"
#include "strata/base/fault_point.h"
#include "strata/model/time_format.h"
#include "strata/observability/log.h"
#include "strata/storage/merge/part_merger.h"
#include "strata/storage/storage_engine.h"

namespace strata::storage {

using base::Status;

namespace {

constexpr int64_t kMinute = 60LL * 1000000000LL;

// Per-stream retention rewrites a part only once its oldest expired rows are this far past their period. Rows keep
// expiring every second; without the slack every maintenance pass would rewrite the same parts again. With it a
// part is rewritten for retention at most once per slack, and a row outlives its period by at most the slack
// (plus one maintenance interval). Merges drop expired rows exactly, whenever they happen to run.
int64_t RetentionSlack(int64_t period_ns) { return std::clamp<int64_t>(period_ns / 8, kMinute, 6 * 60 * kMinute); }

// The drop filter of every rewrite of one tenant's parts. Per stream (cached: merges visit the rows of a block
// together, so consecutive calls nearly always ask for the same stream) it resolves the retention cutoff and the
// delete requests whose selector matches the stream; per row it then only compares timestamps, and evaluates a
// request's line filter only for rows inside the request's time range.
class DropFilter {
 public:
  DropFilter(const RetentionPolicy& retention, std::string tenant, int64_t now_ns,
             std::shared_ptr<const std::vector<DeleteRequest>> deletes)
      : retention_(retention), tenant_(std::move(tenant)), now_ns_(now_ns), deletes_(std::move(deletes)) {}

  bool Drop(const model::LabelSet& labels, int64_t ts, std::string_view message) {
    const Plan& plan = PlanFor(labels);
    if (ts < plan.cutoff) return true;
    for (const DeleteRequest* d : plan.deletes) {
      if (ts >= d->from && ts <= d->to && d->Matches(labels, ts, message)) return true;
    }
    return false;
  }

 private:
  struct Plan {
    int64_t cutoff = std::numeric_limits<int64_t>::min();  // rows below are expired
    std::vector<const DeleteRequest*> deletes;
  };

  const Plan& PlanFor(const model::LabelSet& labels) {
    if (last_ != nullptr && last_->first == labels) return last_->second;
    auto it = plans_.find(labels);
    if (it == plans_.end()) {
      Plan plan;
      int64_t period = retention_.StreamPeriod(tenant_, labels);
      if (__builtin_sub_overflow(now_ns_, period, &plan.cutoff)) plan.cutoff = std::numeric_limits<int64_t>::min();
      if (deletes_) {
        for (const auto& d : *deletes_) {
          if (d.MayMatch(labels, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max())) {
            plan.deletes.push_back(&d);
          }
        }
      }
      it = plans_.emplace(labels, std::move(plan)).first;
    }
    last_ = &*it;
    return it->second;
  }

  const RetentionPolicy& retention_;
  const std::string tenant_;
  const int64_t now_ns_;
  const std::shared_ptr<const std::vector<DeleteRequest>> deletes_;
  std::map<model::LabelSet, Plan> plans_;
  const std::pair<const model::LabelSet, Plan>* last_ = nullptr;
};

// What a rewrite needs from the engine (its private members, passed in by the member functions).
struct RewriteContext {
  const StorageOptions& options;
  std::atomic<uint64_t>& next_part_id;
  const DeleteStore& deletes;
  StorageProbe& probe;
};

enum class RewriteKind {
  kMerge,    // always publish the output
  kPurge,    // a single part rewritten for retention or deletes: keep the input when nothing was dropped
};

struct RewriteOutcome {
  uint64_t rows_in = 0;
  uint64_t rows_dropped = 0;
  bool published = false;
};

// Rewrites `inputs` (parts of p) into one part through the drop filter and publishes it with Replace.
Status RewriteParts(const RewriteContext& ctx, Partition& p, const std::vector<std::shared_ptr<const PartReader>>& inputs,
                    int64_t now_ns, RewriteKind kind, RewriteOutcome* outcome) {
  auto filter = std::make_shared<DropFilter>(ctx.options.retention, p.tenant(), now_ns, ctx.deletes.Active(p.tenant()));
  RowDropFilter drop = [filter](const model::LabelSet& labels, int64_t ts, std::string_view message) {
    return filter->Drop(labels, ts, message);
  };
  const uint64_t id = ctx.next_part_id.fetch_add(1);
  PartWriterOptions part_options = ctx.options.part;
  part_options.zstd_level = kMergeZstdLevel;
  auto result = MergeParts(inputs, p.dir(), id, part_options, drop);
  if (!result.ok()) return result.status();
  outcome->rows_in = result->rows_in;
  outcome->rows_dropped = result->rows_dropped;
  const std::string path = p.dir() + "/" + PartFileName(id);

  if (kind == RewriteKind::kPurge && result->rows_dropped == 0) {
    // The selector or stream rule could match but no row did (a line filter, rows just inside the period): the
    // new part equals the input. Keep the input; the new file lists it in `replaces`, so it must go first.
    if (!result->empty && ::unlink(path.c_str()) != 0 && errno != ENOENT) return base::IoError("unlink", path, errno);
    return Status::Ok();
  }

  std::shared_ptr<const PartReader> output;
  if (!result->empty) {
    auto reader = PartReader::Open(path);
    if (!reader.ok()) return reader.status();
    output = std::move(reader).value();
  } else {
    // Every row was dropped. Recovery skips WAL records of this partition below its largest wal_seq_end; if the
    // inputs carried that maximum and simply vanished, the maximum would go down and WAL segments not yet deleted
    // (a flush between publish and WAL cleanup, or the segments replayed at start-up until the first flush) would
    // be replayed again, bringing the dropped rows back. An empty part keeps the maximum (and lists the inputs,
    // like any merged part).
    uint64_t others = 0;
    for (const auto& part : p.Parts()) {
      if (std::find(result->meta.replaces.begin(), result->meta.replaces.end(), part->meta().part_id) ==
          result->meta.replaces.end()) {
        others = std::max(others, part->meta().wal_seq_end);
      }
    }
    if (result->meta.wal_seq_end > others) {
      PartBuilder empty(ctx.options.part);
      auto meta = empty.Write(p.dir(), result->meta);
      if (!meta.ok()) return meta.status();
      auto reader = PartReader::Open(path);
      if (!reader.ok()) return reader.status();
      output = std::move(reader).value();
    }
  }
  STRATA_FAULT_POINT("merge.after_write");
  RETURN_IF_ERROR(p.Replace(result->meta.replaces, output));
  outcome->published = true;
  ctx.probe.OnRewrite(kind == RewriteKind::kMerge, inputs.size(), result->rows_dropped,
                      output ? output->file_size() : 0);
  observability::LogDebug(kind == RewriteKind::kMerge ? "merged parts" : "rewrote part",
                          {{"dir", p.dir()},
                           {"inputs", std::to_string(inputs.size())},
                           {"output", output ? PartFileName(id) : std::string("none")},
                           {"rows_in", std::to_string(result->rows_in)},
                           {"rows_dropped", std::to_string(result->rows_dropped)}});
  return Status::Ok();
}

std::vector<Partition*> SnapshotPartitions(std::shared_mutex& mu,
                                           const std::map<std::pair<std::string, uint32_t>, std::unique_ptr<Partition>>& partitions) {
  std::shared_lock lock(mu);
  std::vector<Partition*> out;
  out.reserve(partitions.size());
  for (const auto& [key, p] : partitions) out.push_back(p.get());
  return out;
}

// Could a block of this part hold a row that per-stream retention expired at least a slack ago? Looks at the
// stream table and the block headers only.
bool NeedsRetentionRewrite(const PartReader& part, const RetentionPolicy& retention, const std::string& tenant,
                           int64_t now_ns) {
  const int64_t tenant_period = retention.TenantPeriod(tenant);
  std::vector<int64_t> period(part.streams().size(), -1);
  for (const auto& bh : part.blocks()) {
    if (bh.stream >= period.size()) continue;
    int64_t& p = period[bh.stream];
    if (p < 0) p = retention.StreamPeriod(tenant, part.streams()[bh.stream].labels);
    // Whole days past the tenant period go with their partition; only stream rules trigger rewrites.
    if (p >= tenant_period) continue;
    if (bh.min_ts < now_ns - p - RetentionSlack(p)) return true;
  }
  return false;
}

}  // namespace

Status StorageEngine::MergeOnce(bool* merged) {
  *merged = false;
  std::lock_guard maintenance(maintenance_mu_);
  if (!deletes_) return base::Unavailable("storage is not open");
  struct Candidate {
    Partition* partition;
    std::vector<std::shared_ptr<const PartReader>> inputs;
    uint64_t bytes = 0;
  };
  std::vector<Candidate> candidates;
  for (Partition* p : SnapshotPartitions(state_mu_, partitions_)) {
    auto parts = p->Parts();
    auto ids = PickMerge(parts, options_.merge);
    if (ids.empty()) continue;
    Candidate c{p, {}, 0};
    for (const auto& part : parts) {
      if (std::find(ids.begin(), ids.end(), part->meta().part_id) != ids.end()) {
        c.inputs.push_back(part);
        c.bytes += part->file_size();
      }
    }
    candidates.push_back(std::move(c));
  }
  // Across partitions the same preference as inside one: more parts, then fewer bytes.
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.inputs.size() != b.inputs.size()) return a.inputs.size() > b.inputs.size();
    return a.bytes < b.bytes;
  });
  RewriteContext ctx{options_, next_part_id_, *deletes_, probe_};
  Status first_error;
  for (const auto& c : candidates) {
    RewriteOutcome outcome;
    Status st = RewriteParts(ctx, *c.partition, c.inputs, base::SystemClock::Get().NowNanos(), RewriteKind::kMerge,
                             &outcome);
    if (st.ok()) {
      *merged = outcome.published;
      if (!first_error.ok()) {
        observability::LogError("merge skipped a partition with a corrupt part", {{"error", first_error.ToString()}});
      }
      return Status::Ok();
    }
    // A corrupt chunk in one input must not stop every merge of the store: try the next candidate. (Scans skip
    // such blocks and report them; the part stays as it is for inspection.)
    if (st.code() != base::StatusCode::kDataLoss) return st;
    probe_.OnCorruptPart();
    if (first_error.ok()) first_error = st;
  }
  return first_error;
}

Status StorageEngine::ApplyRetention(int64_t now_ns) {
  std::lock_guard maintenance(maintenance_mu_);
  if (!deletes_) return base::Unavailable("storage is not open");
  const RetentionPolicy& retention = options_.retention;
  RewriteContext ctx{options_, next_part_id_, *deletes_, probe_};
  Status first_error;
  for (Partition* p : SnapshotPartitions(state_mu_, partitions_)) {
    const std::string tenant = p->tenant();
    const uint32_t day = p->day();
    const int64_t period = retention.TenantPeriod(tenant);
    const int64_t day_end = model::UtcDayStartNanos(day) + RetentionPolicy::kDay;
    if (day_end <= now_ns - period) {
      // Every row this partition holds or could still receive (late data) is expired: drop it whole. flush_mu_
      // keeps a flush from writing into the directory while it goes away.
      std::lock_guard flush(flush_mu_);
      std::unique_ptr<Partition> victim;
      {
        std::unique_lock state(state_mu_);
        auto it = partitions_.find({tenant, day});
        if (it == partitions_.end() || it->second.get() != p) continue;
        victim = std::move(it->second);
        partitions_.erase(it);
      }
      // Scans that took the parts before the erase keep reading their mappings; new scans no longer see them.
      std::vector<uint64_t> ids;
      uint64_t rows = 0;
      for (const auto& part : victim->Parts()) {
        ids.push_back(part->meta().part_id);
        rows += part->meta().rows;
      }
      RETURN_IF_ERROR(victim->Replace(ids, nullptr));
      // What is left are quarantined or temporary files of the same expired day.
      std::error_code ec;
      std::filesystem::remove_all(victim->dir(), ec);
      if (ec) return base::IoError("remove", victim->dir(), ec.value());
      ::rmdir((options_.data_dir + "/" + tenant).c_str());  // the tenant's last partition: fails otherwise, fine
      observability::LogInfo("retention dropped partition", {{"tenant", tenant},
                                                              {"day", std::to_string(day)},
                                                              {"parts", std::to_string(ids.size())},
                                                              {"rows", std::to_string(rows)}});
      continue;
    }
    if (!retention.HasStreamRules(tenant)) continue;
    uint64_t rewritten = 0, dropped = 0;
    for (const auto& part : p->Parts()) {
      if (!NeedsRetentionRewrite(*part, retention, tenant, now_ns)) continue;
      RewriteOutcome outcome;
      Status st = RewriteParts(ctx, *p, {part}, now_ns, RewriteKind::kPurge, &outcome);
      if (!st.ok()) {
        // One unreadable part must not hold back retention everywhere else; the error is returned at the end.
        if (first_error.ok()) first_error = st;
        continue;
      }
      rewritten += outcome.published ? 1 : 0;
      dropped += outcome.rows_dropped;
    }
    if (rewritten > 0) {
      observability::LogInfo("retention rewrote parts", {{"dir", p->dir()},
                                                          {"parts", std::to_string(rewritten)},
                                                          {"rows_dropped", std::to_string(dropped)}});
    }
  }
  return first_error;
}

Status StorageEngine::ProcessDeletes() {
  std::lock_guard maintenance(maintenance_mu_);
  if (!deletes_) return base::Unavailable("storage is not open");
  // Rows acknowledged before now may still be in the head: make them parts, so purging parts purges them.
  RETURN_IF_ERROR(Flush());
  const std::vector<DeleteRequest> pending = deletes_->Pending();
  if (pending.empty()) return Status::Ok();
  std::map<std::string, std::vector<const DeleteRequest*>> by_tenant;
  for (const auto& d : pending) by_tenant[d.tenant].push_back(&d);

  const int64_t now_ns = base::SystemClock::Get().NowNanos();
  RewriteContext ctx{options_, next_part_id_, *deletes_, probe_};
  Status first_error;
  for (const auto& [tenant, requests] : by_tenant) {
    uint64_t rewritten = 0, dropped = 0;
    bool tenant_failed = false;
    for (Partition* p : SnapshotPartitions(state_mu_, partitions_)) {
      if (p->tenant() != tenant) continue;
      const int64_t day_start = model::UtcDayStartNanos(p->day());
      const int64_t day_last = day_start + RetentionPolicy::kDay - 1;
      if (std::none_of(requests.begin(), requests.end(),
                       [&](const DeleteRequest* d) { return d->from <= day_last && d->to >= day_start; })) {
        continue;
      }
      for (const auto& part : p->Parts()) {
        const PartMeta& m = part->meta();
        bool affected = false;
        for (const DeleteRequest* d : requests) {
          if (m.rows == 0 || d->from > m.max_ts || d->to < m.min_ts) continue;
          // The selector per stream once, then the time range per block.
          std::vector<char> stream_may(part->streams().size());
          for (size_t s = 0; s < stream_may.size(); ++s) {
            stream_may[s] = d->MayMatch(part->streams()[s].labels, m.min_ts, m.max_ts);
          }
          for (const auto& bh : part->blocks()) {
            if (bh.stream < stream_may.size() && stream_may[bh.stream] &&
                d->MayMatch(part->streams()[bh.stream].labels, bh.min_ts, bh.max_ts)) {
              affected = true;
              break;
            }
          }
          if (affected) break;
        }
        if (!affected) continue;
        RewriteOutcome outcome;
        Status st = RewriteParts(ctx, *p, {part}, now_ns, RewriteKind::kPurge, &outcome);
        if (!st.ok()) {
          // Purge what can be purged; the requests stay pending (and are retried) until every part is clean.
          if (first_error.ok()) first_error = st;
          tenant_failed = true;
          continue;
        }
        rewritten += outcome.published ? 1 : 0;
        dropped += outcome.rows_dropped;
      }
    }
    if (tenant_failed) continue;
    for (const DeleteRequest* d : requests) {
      Status st = deletes_->MarkProcessed(d->id, now_ns);
      // Cancelled while we worked: its rows were purged anyway (the filter had it); nothing to record.
      if (!st.ok() && st.code() != base::StatusCode::kFailedPrecondition) return st;
    }
    observability::LogInfo("delete requests processed", {{"tenant", tenant},
                                                         {"requests", std::to_string(requests.size())},
                                                         {"parts_rewritten", std::to_string(rewritten)},
                                                         {"rows_dropped", std::to_string(dropped)}});
  }
  return first_error;
}

void StorageEngine::MaintenanceLoop() {
  // A non-positive interval turns background maintenance off (tools and tests drive it by hand).
  const int64_t interval_ms = options_.maintenance_interval_ms;
  auto stopping = [this] {
    std::lock_guard lock(maintenance_wait_mu_);
    return stop_maintenance_;
  };
  auto report = [](const char* what, const Status& st) {
    if (!st.ok()) observability::LogError(what, {{"error", st.ToString()}});
  };
  std::unique_lock lock(maintenance_wait_mu_);
  while (!stop_maintenance_) {
    if (interval_ms <= 0) {
      maintenance_cv_.wait(lock, [this] { return stop_maintenance_; });
      break;
    }
    maintenance_cv_.wait_for(lock, std::chrono::milliseconds(interval_ms), [this] { return stop_maintenance_; });
    if (stop_maintenance_) break;
    lock.unlock();
    if (!deletes_->Pending().empty()) report("delete purge failed; will retry", ProcessDeletes());
    if (!stopping()) {
      report("retention failed; will retry", ApplyRetention(base::SystemClock::Get().NowNanos()));
    }
    bool any_merged = false;
    while (!stopping()) {
      bool merged = false;
      Status st = MergeOnce(&merged);
      report("merge failed; will retry", st);
      any_merged |= merged;
      if (!st.ok() || !merged) break;
    }
    // A merge frees its buffers on this thread's malloc arena; give the pages back (see FlusherLoop).
    if (any_merged) ::malloc_trim(0);
    lock.lock();
  }
}

}  // namespace strata::storage
