#include "strata/storage/head/head.h"

#include <mutex>

namespace strata::storage {

void Head::Add(const std::string& tenant, std::shared_ptr<const HeadBatch> batch) {
  std::unique_lock lock(mu_);
  bytes_ += batch->encoded.size();
  records_ += batch->records;
  tenants_[tenant].push_back(std::move(batch));
}

std::vector<std::shared_ptr<const HeadBatch>> Head::Snapshot(const std::string& tenant, int64_t from,
                                                             int64_t to) const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const HeadBatch>> out;
  auto it = tenants_.find(tenant);
  if (it == tenants_.end()) return out;
  for (const auto& b : it->second) {
    if (b->max_ts >= from && b->min_ts <= to) out.push_back(b);
  }
  return out;
}

std::map<std::string, std::vector<std::shared_ptr<const HeadBatch>>> Head::SnapshotBefore(uint64_t seq) const {
  std::shared_lock lock(mu_);
  std::map<std::string, std::vector<std::shared_ptr<const HeadBatch>>> out;
  for (const auto& [tenant, batches] : tenants_) {
    for (const auto& b : batches) {
      if (b->wal_segment >= seq) break;
      out[tenant].push_back(b);
    }
  }
  return out;
}

void Head::RemoveBefore(uint64_t seq) {
  std::unique_lock lock(mu_);
  for (auto it = tenants_.begin(); it != tenants_.end();) {
    auto& batches = it->second;
    size_t n = 0;
    while (n < batches.size() && batches[n]->wal_segment < seq) {
      bytes_ -= batches[n]->encoded.size();
      records_ -= batches[n]->records;
      ++n;
    }
    batches.erase(batches.begin(), batches.begin() + static_cast<ptrdiff_t>(n));
    it = batches.empty() ? tenants_.erase(it) : std::next(it);
  }
}

uint64_t Head::bytes() const {
  std::shared_lock lock(mu_);
  return bytes_;
}

uint64_t Head::records() const {
  std::shared_lock lock(mu_);
  return records_;
}

std::vector<std::string> Head::Tenants() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [t, _] : tenants_) out.push_back(t);
  return out;
}

}  // namespace strata::storage
