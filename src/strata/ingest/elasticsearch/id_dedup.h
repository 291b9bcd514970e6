#pragma once
// IdDedup: remembers recently stored document ids per tenant so that a `_bulk` `create` repeating an `_id` inside
// the window is answered 409 (shippers count that as done: Filebeat, Logstash and Fluent Bit retry with the same
// ids after a timeout, and must not store the document twice).
//
// Per tenant, an LRU of at most `capacity` keys, each valid for `window_ns` after it was last remembered. Best
// effort by design: ids are remembered only once their batch is durable (so a failed or refused batch can be
// retried), which means two concurrent requests carrying the same new id may both be stored; the window and the
// capacity bound what is remembered, and a restart forgets everything.
//
// Thread-safe (one mutex; the work under it is a hash lookup or insert per id).

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace strata::ingest::elasticsearch {

class IdDedup {
 public:
  static constexpr size_t kDefaultCapacity = 100000;
  static constexpr int64_t kDefaultWindowNs = 10ll * 60 * 1000000000;

  explicit IdDedup(size_t capacity = kDefaultCapacity, int64_t window_ns = kDefaultWindowNs)
      : capacity_(capacity), window_ns_(window_ns) {}

  // The key of a document: index and id (ids are unique per index in Elasticsearch).
  static std::string Key(std::string_view index, std::string_view id);

  // Whether key was remembered for tenant within the window before now_ns.
  bool Contains(std::string_view tenant, const std::string& key, int64_t now_ns);

  // Remembers keys (refreshing those already known), evicting the least recent beyond the capacity.
  void Remember(std::string_view tenant, const std::vector<std::string>& keys, int64_t now_ns);

  size_t Size(std::string_view tenant);

 private:
  struct Entry {
    std::string key;
    int64_t time_ns;
  };
  struct Lru {
    std::list<Entry> order;  // most recent first
    std::unordered_map<std::string, std::list<Entry>::iterator> index;
  };
  Lru& TenantLru(std::string_view tenant);  // mu_ held
  void Expire(Lru& lru, int64_t now_ns);    // mu_ held

  const size_t capacity_;
  const int64_t window_ns_;
  std::mutex mu_;
  std::unordered_map<std::string, Lru> tenants_;
};

}  // namespace strata::ingest::elasticsearch
