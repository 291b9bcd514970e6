#include "strata/ingest/elasticsearch/id_dedup.h"

namespace strata::ingest::elasticsearch {

std::string IdDedup::Key(std::string_view index, std::string_view id) {
  std::string key;
  key.reserve(index.size() + 1 + id.size());
  key.append(index);
  key.push_back('\0');  // cannot appear in an index name, so (index, id) pairs never collide
  key.append(id);
  return key;
}

IdDedup::Lru& IdDedup::TenantLru(std::string_view tenant) {
  auto it = tenants_.find(std::string(tenant));
  if (it == tenants_.end()) it = tenants_.emplace(std::string(tenant), Lru{}).first;
  return it->second;
}

void IdDedup::Expire(Lru& lru, int64_t now_ns) {
  while (!lru.order.empty() && now_ns - lru.order.back().time_ns > window_ns_) {
    lru.index.erase(lru.order.back().key);
    lru.order.pop_back();
  }
}

bool IdDedup::Contains(std::string_view tenant, const std::string& key, int64_t now_ns) {
  std::lock_guard lock(mu_);
  auto t = tenants_.find(std::string(tenant));
  if (t == tenants_.end()) return false;
  Expire(t->second, now_ns);
  return t->second.index.count(key) > 0;
}

void IdDedup::Remember(std::string_view tenant, const std::vector<std::string>& keys, int64_t now_ns) {
  if (keys.empty() || capacity_ == 0) return;
  std::lock_guard lock(mu_);
  Lru& lru = TenantLru(tenant);
  Expire(lru, now_ns);
  for (const auto& key : keys) {
    auto it = lru.index.find(key);
    if (it != lru.index.end()) {
      it->second->time_ns = now_ns;
      lru.order.splice(lru.order.begin(), lru.order, it->second);
      continue;
    }
    lru.order.push_front({key, now_ns});
    lru.index.emplace(key, lru.order.begin());
    if (lru.order.size() > capacity_) {
      lru.index.erase(lru.order.back().key);
      lru.order.pop_back();
    }
  }
}

size_t IdDedup::Size(std::string_view tenant) {
  std::lock_guard lock(mu_);
  auto t = tenants_.find(std::string(tenant));
  return t == tenants_.end() ? 0 : t->second.order.size();
}

}  // namespace strata::ingest::elasticsearch
