// StorageEngine's stream metadata: the streams of a time range with index-level estimates (ListStreams, for
// labels/series/volume) and the stream label names (StreamLabelNames, for the query engine's field pushdown), read
// from part stream tables and block headers and from head batches as views; no column is decompressed.
#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "strata/storage/head/head_batch_reader.h"
#include "strata/storage/storage_engine.h"

namespace strata::storage {

base::Result<std::set<std::string>> StorageEngine::StreamLabelNames(const std::string& tenant, int64_t from,
                                                                    int64_t to,
                                                                    const std::vector<LabelMatcher>& matchers) const {
  if (!ready()) return base::Unavailable("storage is not ready (WAL replay in progress)");
  auto selected = [&](const model::LabelSet& labels) {
    for (const auto& m : matchers) {
      if (!m.Matches(labels)) return false;
    }
    return true;
  };
  auto [parts, head_batches] = SnapshotRange(tenant, from, to);
  std::set<std::string> names;
  auto add = [&](const model::LabelSet& labels) {
    if (!selected(labels)) return;
    for (const auto& l : labels) names.insert(l.name);
  };
  for (const auto& part : parts) {
    for (const auto& s : part->streams()) add(s.labels);
  }
  for (const auto& hb : head_batches) {
    std::shared_ptr<const std::vector<model::LabelSet>> streams;
    {
      std::lock_guard lock(head_streams_mu_);
      auto it = head_streams_.find(hb.get());
      if (it != head_streams_.end() && it->second.batch.lock() == hb) streams = it->second.streams;
    }
    if (!streams) {
      // Each distinct encoded label set is decoded once (equal bytes are equal labels).
      auto reader = HeadBatchReader::Open(hb->encoded);
      if (!reader.ok()) return reader.status();
      std::set<std::string_view> seen;
      auto decoded = std::make_shared<std::vector<model::LabelSet>>();
      HeadRecordView record;
      while (true) {
        auto more = reader->Next(&record);
        if (!more.ok()) return more.status();
        if (!*more) break;
        if (!seen.insert(record.labels).second) continue;
        model::LabelSet labels;
        RETURN_IF_ERROR(HeadBatchReader::DecodeLabels(record.labels, &labels));
        decoded->push_back(std::move(labels));
      }
      streams = decoded;
      std::lock_guard lock(head_streams_mu_);
      std::erase_if(head_streams_, [](const auto& kv) { return kv.second.batch.expired(); });
      head_streams_[hb.get()] = HeadBatchStreams{hb, streams};
    }
    for (const auto& labels : *streams) add(labels);
  }
  return names;
}

base::Result<std::vector<StreamSummary>> StorageEngine::ListStreams(
    const std::string& tenant, int64_t from, int64_t to,
    const std::vector<std::vector<LabelMatcher>>& selectors) const {
  if (!ready()) return base::Unavailable("storage is not ready (WAL replay in progress)");
  auto selected = [&](const model::LabelSet& labels) {
    if (selectors.empty()) return true;
    for (const auto& sel : selectors) {
      bool all = true;
      for (const auto& m : sel) all = all && m.Matches(labels);
      if (all) return true;
    }
    return false;
  };
  auto [parts, head_batches] = SnapshotRange(tenant, from, to);
  std::map<model::LabelSet, StreamSummary> out;
  for (const auto& part : parts) {
    std::vector<int8_t> ok(part->streams().size(), -1);  // -1 unknown, 0 no, 1 yes
    for (const auto& bh : part->blocks()) {
      if (bh.max_ts < from || bh.min_ts > to) continue;
      int8_t& o = ok[bh.stream];
      if (o < 0) o = selected(part->streams()[bh.stream].labels) ? 1 : 0;
      if (!o) continue;
      StreamSummary& s = out[part->streams()[bh.stream].labels];
      s.entries += bh.rows;
      s.chunks += 1;
      if (!bh.columns.empty()) s.bytes += bh.columns.front().chunk.raw_len;
    }
  }
  for (const auto& hb : head_batches) {
    // Views into the batch (HeadBatchReader): each distinct stream of the batch is decoded and matched once.
    ASSIGN_OR_RETURN(HeadBatchReader reader, HeadBatchReader::Open(hb->encoded));
    std::vector<std::pair<std::string_view, StreamSummary*>> streams;  // encoded labels -> summary, or null
    std::set<const StreamSummary*> counted;                             // chunks: one per stream per batch
    HeadRecordView r;
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader.Next(&r));
      if (!more) break;
      if (r.timestamp_ns < from || r.timestamp_ns > to) continue;
      auto known = std::find_if(streams.begin(), streams.end(), [&](const auto& e) { return e.first == r.labels; });
      if (known == streams.end()) {
        model::LabelSet labels;
        RETURN_IF_ERROR(HeadBatchReader::DecodeLabels(r.labels, &labels));
        StreamSummary* summary = nullptr;
        if (selected(labels)) {
          summary = &out[std::move(labels)];
          if (counted.insert(summary).second) summary->chunks += 1;
        }
        known = streams.insert(streams.end(), {r.labels, summary});
      }
      if (!known->second) continue;
      known->second->entries += 1;
      known->second->bytes += r.message.size();
    }
  }
  std::vector<StreamSummary> result;
  result.reserve(out.size());
  for (auto& [labels, s] : out) {
    s.labels = labels;
    result.push_back(std::move(s));
  }
  return result;
}

}  // namespace strata::storage
