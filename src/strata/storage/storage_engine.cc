#include "strata/storage/storage_engine.h"

#include <dirent.h>
#include <malloc.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_map>

#include "strata/base/fault_point.h"
#include "strata/model/record_codec.h"
#include "strata/model/time_format.h"
#include "strata/observability/log.h"
#include "strata/storage/head/head_batch_reader.h"
#include "strata/storage/wal/wal_reader.h"

namespace strata::storage {

using base::Status;

namespace {

std::shared_ptr<HeadBatch> MakeHeadBatch(const model::LogBatch& batch, std::string encoded) {
  auto hb = std::make_shared<HeadBatch>();
  hb->encoded = std::move(encoded);
  hb->records = static_cast<uint32_t>(batch.records.size());
  hb->min_ts = std::numeric_limits<int64_t>::max();
  hb->max_ts = std::numeric_limits<int64_t>::min();
  for (const auto& r : batch.records) {
    hb->min_ts = std::min(hb->min_ts, r.timestamp_ns);
    hb->max_ts = std::max(hb->max_ts, r.timestamp_ns);
  }
  return hb;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool ParseDay(const std::string& name, uint32_t* day) {
  if (name.size() != 8) return false;
  uint32_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  *day = v;
  return true;
}

}  // namespace

StorageEngine::StorageEngine(const StorageOptions& options, observability::Registry& registry)
    : options_(options),
      probe_(registry),
      scan_pool_(std::make_unique<common::ThreadPool>(
          options.scan_threads ? options.scan_threads : std::max(1u, std::thread::hardware_concurrency()))) {}

StorageEngine::~StorageEngine() { (void)Close(); }

base::Result<std::unique_ptr<StorageEngine>> StorageEngine::Open(const StorageOptions& options,
                                                                 observability::Registry& registry) {
  return std::unique_ptr<StorageEngine>(new StorageEngine(options, registry));
}

std::string StorageEngine::PartitionDir(const std::string& tenant, uint32_t day) const {
  return options_.data_dir + "/" + tenant + "/" + std::to_string(day);
}

Status StorageEngine::OpenPartitions() {
  uint64_t max_id = 0;
  for (const auto& tenant : ListDir(options_.data_dir)) {
    if (tenant.empty() || tenant[0] == '.') continue;  // .wal and other engine-private directories
    std::string tenant_dir = options_.data_dir + "/" + tenant;
    struct stat st;
    if (::stat(tenant_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    for (const auto& day_name : ListDir(tenant_dir)) {
      uint32_t day;
      if (!ParseDay(day_name, &day)) continue;
      PartitionOpenReport report;
      auto p = Partition::Open(tenant_dir + "/" + day_name, tenant, day, &report);
      if (!p.ok()) return p.status();
      for (const auto& q : report.quarantined) {
        observability::LogError("corrupt part quarantined", {{"detail", q}});
        probe_.OnCorruptPart();
      }
      if (report.temporaries_deleted || report.superseded_deleted) {
        observability::LogInfo("partition repaired", {{"dir", (*p)->dir()},
                                                      {"temporaries_deleted", std::to_string(report.temporaries_deleted)},
                                                      {"superseded_deleted", std::to_string(report.superseded_deleted)}});
      }
      max_id = std::max(max_id, (*p)->MaxPartId());
      partitions_[{tenant, day}] = std::move(p).value();
    }
  }
  // Part ids only grow, also across quarantined and deleted parts of this run: start above anything seen.
  next_part_id_ = max_id + 1;
  return Status::Ok();
}

Partition* StorageEngine::PartitionFor(const std::string& tenant, uint32_t day) {
  auto& slot = partitions_[{tenant, day}];
  if (!slot) {
    auto p = Partition::Create(PartitionDir(tenant, day), tenant, day);
    if (!p.ok()) return nullptr;
    slot = std::move(p).value();
  }
  return slot.get();
}

Status StorageEngine::Recover() {
  auto start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(OpenPartitions());
  auto deletes = DeleteStore::Open(options_.data_dir + "/.deletes");
  if (!deletes.ok()) return deletes.status();
  deletes_ = std::move(deletes).value();
  std::map<std::pair<std::string, uint32_t>, uint64_t> covered;
  for (const auto& [key, p] : partitions_) covered[key] = p->WalSeqEnd();

  wal::ReplayStats stats;
  uint64_t skipped = 0;
  Status st = wal::ReplayWal(
      wal_dir(),
      [&](std::string_view payload, uint64_t segment) -> Status {
        auto batch = model::DecodeRecordBatch(payload);
        if (!batch.ok()) {
          // The WAL record's CRC matched, so this is a bug or a format change: keep going, say so loudly.
          observability::LogError("skipping undecodable WAL record",
                                  {{"segment", std::to_string(segment)}, {"error", batch.status().ToString()}});
          return Status::Ok();
        }
        // Drop records already in parts (a crash came between a flush's publish and its WAL cleanup).
        auto& records = batch->records;
        size_t before = records.size();
        std::erase_if(records, [&](const model::LogRecord& r) {
          auto it = covered.find({batch->tenant, model::UtcDayOf(r.timestamp_ns)});
          return it != covered.end() && it->second > segment;
        });
        skipped += before - records.size();
        if (records.empty()) return Status::Ok();
        std::string encoded;
        if (records.size() == before) {
          encoded.assign(payload);
        } else {
          model::EncodeRecordBatch(*batch, &encoded);
        }
        auto hb = MakeHeadBatch(*batch, std::move(encoded));
        hb->wal_segment = segment;
        head_.Add(batch->tenant, std::move(hb));
        return Status::Ok();
      },
      &stats);
  if (!st.ok()) return st;
  for (const auto& w : stats.warnings) observability::LogWarn("WAL tail truncated", {{"detail", w}});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  probe_.OnReplay(stats.records, stats.truncated_bytes, seconds);
  probe_.SetHead(head_.bytes(), head_.records());
  observability::LogInfo("storage recovered", {{"partitions", std::to_string(partitions_.size())},
                                               {"wal_segments", std::to_string(stats.segments)},
                                               {"wal_records", std::to_string(stats.records)},
                                               {"rows_already_in_parts", std::to_string(skipped)},
                                               {"truncated_bytes", std::to_string(stats.truncated_bytes)},
                                               {"seconds", std::to_string(seconds)}});

  wal::WalOptions wo;
  wo.dir = wal_dir();
  wo.fsync = options_.fsync;
  wo.fsync_interval_ms = options_.fsync_interval_ms;
  wo.segment_bytes = options_.wal_segment_bytes;
  wo.max_pending_bytes = options_.wal_max_pending_bytes;
  auto writer = wal::WalWriter::Open(wo, &probe_);
  if (!writer.ok()) return writer.status();
  wal_ = std::move(writer).value();
  flusher_ = std::thread([this] { FlusherLoop(); });
  maintenance_ = std::thread([this] { MaintenanceLoop(); });
  ready_.store(true, std::memory_order_release);
  return Status::Ok();
}

Status StorageEngine::Append(model::LogBatch batch, Callback done) {
  if (!ready() || closed_.load()) return base::Unavailable("storage is not ready (WAL replay in progress)");
  model::EncodedBatch encoded;
  model::EncodeRecordBatch(batch, &encoded.payload);
  encoded.tenant = std::move(batch.tenant);
  encoded.records = batch.records.size();
  for (const auto& r : batch.records) {
    encoded.min_ts = std::min(encoded.min_ts, r.timestamp_ns);
    encoded.max_ts = std::max(encoded.max_ts, r.timestamp_ns);
  }
  return AppendEncoded(std::move(encoded), std::move(done));
}

Status StorageEngine::AppendEncoded(model::EncodedBatch batch, Callback done) {
  if (!ready() || closed_.load()) return base::Unavailable("storage is not ready (WAL replay in progress)");
  if (head_.bytes() >= options_.max_head_bytes) {
    return base::ResourceExhausted("head is over its memory budget (" + std::to_string(options_.max_head_bytes) +
                                   " bytes); retry later");
  }
  auto hb = std::make_shared<HeadBatch>();
  hb->encoded = std::move(batch.payload);
  hb->records = static_cast<uint32_t>(batch.records);
  hb->min_ts = batch.min_ts;
  hb->max_ts = batch.max_ts;
  bool wake_flusher = head_.bytes() + hb->encoded.size() >= options_.flush_bytes;
  // The WAL borrows the head's bytes: the callback owns hb, so they outlive the write.
  const std::string_view payload = hb->encoded;
  Status st = wal_->AppendView(payload, [this, hb = std::move(hb), tenant = std::move(batch.tenant),
                                         done = std::move(done)](const Status& st) mutable {
    if (st.ok()) {
      // On the writer thread right after the write: the segment just written is the current one.
      hb->wal_segment = wal_->CurrentSegment();
      head_.Add(tenant, std::move(hb));
      probe_.SetHead(head_.bytes(), head_.records());
    }
    done(st);
  });
  if (st.ok() && wake_flusher) flusher_cv_.notify_one();
  return st;
}

void StorageEngine::FlusherLoop() {
  std::unique_lock lock(flusher_mu_);
  while (!stop_flusher_) {
    flusher_cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms), [this] {
      return stop_flusher_ || head_.bytes() >= options_.flush_bytes;
    });
    if (stop_flusher_) break;
    lock.unlock();
    if (head_.records() > 0) {
      Status st = Flush();
      if (!st.ok()) observability::LogError("flush failed; will retry", {{"error", st.ToString()}});
      // The flushed head batches, the builders' rows and the encoded blocks were freed on several threads' malloc
      // arenas, where glibc keeps them; return the free pages so RSS follows what is live.
      ::malloc_trim(0);
    }
    lock.lock();
  }
}

Status StorageEngine::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  if (!wal_) return base::Unavailable("storage is not open");
  auto start = std::chrono::steady_clock::now();
  auto seq = wal_->RotateNow();
  if (!seq.ok()) return seq.status();
  const uint64_t wal_seq_end = *seq;
  auto batches = head_.SnapshotBefore(wal_seq_end);
  if (batches.empty()) return Status::Ok();

  // One builder per (tenant, day). Rows go in as views into the head batches (`batches` keeps them alive until the
  // parts are written): no decoding into LogRecords, no copy. Each distinct label set is decoded and hashed once
  // per tenant, keyed by its encoded bytes.
  std::map<std::pair<std::string, uint32_t>, PartBuilder> builders;
  for (const auto& [tenant, list] : batches) {
    struct StreamCache {
      model::StreamId id;
      model::LabelSet labels;
      int64_t day_number = 0;  // days since the epoch of `builder`
      PartBuilder* builder = nullptr;
      PartBuilder::StreamRef ref = nullptr;
    };
    std::unordered_map<std::string_view, StreamCache> streams;
    HeadRecordView r;
    for (const auto& hb : list) {
      auto reader = HeadBatchReader::Open(hb->encoded);
      if (!reader.ok()) return reader.status();
      while (true) {
        auto more = reader->Next(&r);
        if (!more.ok()) return more.status();
        if (!*more) break;
        auto [it, inserted] = streams.try_emplace(r.labels);
        StreamCache& s = it->second;
        if (inserted) {
          RETURN_IF_ERROR(HeadBatchReader::DecodeLabels(r.labels, &s.labels));
          s.id = model::StreamIdOf(s.labels);
        }
        constexpr int64_t kNanosPerDay = 86400LL * 1000000000LL;
        int64_t day_number = r.timestamp_ns / kNanosPerDay;
        if (r.timestamp_ns % kNanosPerDay < 0) --day_number;
        if (s.builder == nullptr || s.day_number != day_number) {
          auto key = std::make_pair(tenant, model::UtcDayOf(r.timestamp_ns));
          auto b = builders.find(key);
          if (b == builders.end()) b = builders.emplace(key, PartBuilder(options_.part)).first;
          s.builder = &b->second;
          s.ref = s.builder->Stream(s.id, s.labels);
          s.day_number = day_number;
        }
        s.builder->AddBorrowed(s.ref, r.timestamp_ns, r.message, r.fields);
      }
    }
  }
  std::vector<std::pair<std::pair<std::string, uint32_t>, std::shared_ptr<const PartReader>>> written;
  uint64_t rows = 0, bytes = 0;
  for (auto& [key, builder] : builders) {
    std::string dir = PartitionDir(key.first, key.second);
    {
      // Creating the directory needs no lock; publishing does.
      auto p = Partition::Create(dir, key.first, key.second);
      if (!p.ok()) return p.status();
    }
    PartMeta meta;
    meta.part_id = next_part_id_.fetch_add(1);
    meta.tenant = key.first;
    meta.day = key.second;
    meta.level = 0;
    meta.wal_seq_end = wal_seq_end;
    auto written_meta = builder.Write(dir, meta);
    if (!written_meta.ok()) return written_meta.status();
    auto reader = PartReader::Open(dir + "/" + PartFileName(meta.part_id));
    if (!reader.ok()) return reader.status();
    rows += written_meta->rows;
    bytes += (*reader)->file_size();
    written.emplace_back(key, std::move(reader).value());
    STRATA_FAULT_POINT("flush.between_parts");
  }
  STRATA_FAULT_POINT("flush.before_publish");
  {
    std::unique_lock lock(state_mu_);
    for (auto& [key, reader] : written) {
      Partition* p = PartitionFor(key.first, key.second);
      if (!p) return base::Internal("cannot create partition for " + key.first);
      p->Add(std::move(reader));
    }
    head_.RemoveBefore(wal_seq_end);
  }
  probe_.SetHead(head_.bytes(), head_.records());
  STRATA_FAULT_POINT("flush.before_wal_delete");
  RETURN_IF_ERROR(wal_->DeleteSegmentsBefore(wal_seq_end));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  probe_.OnFlush(rows, bytes, seconds);
  observability::LogDebug("flushed head to parts", {{"parts", std::to_string(written.size())},
                                                    {"rows", std::to_string(rows)},
                                                    {"bytes", std::to_string(bytes)},
                                                    {"seconds", std::to_string(seconds)}});
  return Status::Ok();
}

std::vector<std::shared_ptr<const PartReader>> StorageEngine::PartsOf(const std::string& tenant) const {
  std::shared_lock lock(state_mu_);
  std::vector<std::shared_ptr<const PartReader>> out;
  for (const auto& [key, p] : partitions_) {
    if (key.first != tenant) continue;
    auto parts = p->Parts();
    out.insert(out.end(), parts.begin(), parts.end());
  }
  return out;
}

Status StorageEngine::Close() {
  if (closed_.exchange(true)) return Status::Ok();
  {
    std::lock_guard lock(flusher_mu_);
    stop_flusher_ = true;
  }
  flusher_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  {
    std::lock_guard lock(maintenance_wait_mu_);
    stop_maintenance_ = true;
  }
  maintenance_cv_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
  if (!wal_) return Status::Ok();
  // Flush what the head holds so the next start replays little; the WAL stays the durable copy until then.
  Status flushed = ready() ? Flush() : Status::Ok();
  if (!flushed.ok()) observability::LogError("final flush failed", {{"error", flushed.ToString()}});
  Status st = wal_->Close();
  return st.ok() ? flushed : st;
}

}  // namespace strata::storage
