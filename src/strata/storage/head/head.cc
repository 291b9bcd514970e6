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
