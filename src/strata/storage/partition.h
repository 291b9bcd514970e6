#pragma once
// Partition: one tenant's parts for one UTC day, in `<data>/<tenant>/<yyyymmdd>/`. A tenant's data never shares a
// file with another tenant's.
//
// The partition's stream index is the union of its parts' stream indexes: each part stores the labels of the
// streams it holds (stream id -> labels), and PartReader builds label=value -> streams from them at open, so the
// index can never disagree with the data and a selector resolves to streams without touching column data.
//
// Open() makes the directory consistent after any crash: it deletes `.tmp-*` files (parts whose writer died
// before the rename), deletes parts superseded by a merge whose inputs were not yet unlinked, and quarantines
// parts that fail their checksums (renamed `<name>.corrupt`, reported) so the rest keeps serving.
//
// Thread-safety: Parts() returns a snapshot; Add/Replace swap the set under a mutex. A reader holding a snapshot
// keeps its parts mapped even after a merge unlinked them.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "strata/base/status.h"
#include "strata/storage/part/part_reader.h"

namespace strata::storage {

struct PartitionOpenReport {
  std::vector<std::string> quarantined;  // "<file>: <reason>"
  uint64_t temporaries_deleted = 0;
  uint64_t superseded_deleted = 0;
};

class Partition {
 public:
  static base::Result<std::unique_ptr<Partition>> Open(const std::string& dir, const std::string& tenant,
                                                       uint32_t day, PartitionOpenReport* report);
  // A partition without parts yet (the directory is created).
  static base::Result<std::unique_ptr<Partition>> Create(const std::string& dir, const std::string& tenant,
                                                         uint32_t day);

  const std::string& dir() const { return dir_; }
  const std::string& tenant() const { return tenant_; }
  uint32_t day() const { return day_; }

  std::vector<std::shared_ptr<const PartReader>> Parts() const;
  void Add(std::shared_ptr<const PartReader> part);
  // Atomically swaps `replaced` (by id) for `merged` in the live set, then unlinks the replaced files (the merged
  // part lists them in meta().replaces, so a crash before the unlinks is repaired at the next Open).
  base::Status Replace(const std::vector<uint64_t>& replaced, std::shared_ptr<const PartReader> merged);

  // Largest wal_seq_end of the live parts: WAL records of this partition in segments below it are in parts.
  uint64_t WalSeqEnd() const;
  uint64_t MaxPartId() const;
  uint64_t Bytes() const;
  uint64_t Rows() const;

 private:
  Partition(std::string dir, std::string tenant, uint32_t day) : dir_(std::move(dir)), tenant_(std::move(tenant)), day_(day) {}

  std::string dir_;
  std::string tenant_;
  uint32_t day_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const PartReader>> parts_;  // ordered by part id
};

}  // namespace strata::storage
