#pragma once
// DeleteStore: the durable list of delete requests of all tenants, in `<data>/.deletes/requests.json` (rewritten
// atomically: temporary file, fsync, rename, directory fsync). A request is acknowledged only once it is on disk.
// Thread-safety: all methods may be called from any thread (one mutex); Active() returns a snapshot.
//
// File: one JSON object, rewritten whole on every change (requests are rare; a rewrite costs one fdatasync):
//   {"version":1,"next_seq":N,"requests":[{"id":"<16 hex>","tenant":"...","query":"<selector text>",
//     "from":<ns>,"to":<ns>,"status":"pending|processed|cancelled","created_ns":<ns>,"processed_ns":<ns>}, ...]}
// The selector is stored as text and re-parsed on load. Ids are 16 hex digits: the creation time in ms (upper 44
// bits) and a persisted counter (lower 20 bits), unique across all tenants.
// Mutations hold the mutex while the file is written and synced, so an Active() call that races with an Add,
// Cancel or MarkProcessed waits for that fsync; Active() is otherwise a map lookup and a shared_ptr copy.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "strata/base/status.h"
#include "strata/storage/deletes/delete_request.h"

namespace strata::storage {

class DeleteStore {
 public:
  // Loads the file if present (DataLoss if it is corrupt: the server must not silently forget deletions).
  static base::Result<std::unique_ptr<DeleteStore>> Open(const std::string& dir);

  // Validates (from <= to, tenant non-empty), assigns id and created time, persists. Returns the stored request.
  base::Result<DeleteRequest> Add(DeleteRequest request);
  // All requests of a tenant, oldest first.
  std::vector<DeleteRequest> List(const std::string& tenant) const;
  // Requests that hide rows (pending and processed) of a tenant; shared, immutable snapshot.
  std::shared_ptr<const std::vector<DeleteRequest>> Active(const std::string& tenant) const;
  // Pending requests of every tenant.
  std::vector<DeleteRequest> Pending() const;
  // NotFound for an unknown id (of that tenant); FailedPrecondition when not pending any more.
  base::Status Cancel(const std::string& tenant, const std::string& id);
  // NotFound for an unknown id; OK (no change) when already processed; FailedPrecondition when cancelled.
  base::Status MarkProcessed(const std::string& id, int64_t processed_ns);

 private:
  explicit DeleteStore(std::string dir) : dir_(std::move(dir)) {}
  base::Status Load();
  // Writes `requests` as the new file content (caller holds mu_); on success the caller commits them to memory.
  base::Status Persist(const std::vector<DeleteRequest>& requests, uint64_t next_seq);
  void Commit(std::vector<DeleteRequest> requests, uint64_t next_seq, const std::string& tenant);  // holds mu_
  std::string PathOf(const std::string& name) const { return dir_ + "/" + name; }

  const std::string dir_;
  mutable std::mutex mu_;
  bool dir_ready_ = false;               // dir_ exists (created on the first write)
  std::vector<DeleteRequest> requests_;  // every tenant, creation order
  uint64_t next_seq_ = 0;                // lower bits of the next id
  // Per tenant: its pending and processed requests, rebuilt when one of its requests changes.
  std::map<std::string, std::shared_ptr<const std::vector<DeleteRequest>>> active_;
};

}  // namespace strata::storage
