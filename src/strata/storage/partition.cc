#include "strata/storage/partition.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "strata/base/fault_point.h"

namespace strata::storage {
namespace {

base::Status MkdirAll(const std::string& dir) {
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    prefix = dir.substr(0, pos);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return base::IoError("mkdir", prefix, errno);
  }
  return base::Status::Ok();
}

base::Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return base::IoError("open", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? base::Status::Ok() : base::IoError("fsync", dir, err);
}

void SortById(std::vector<std::shared_ptr<const PartReader>>& parts) {
  std::sort(parts.begin(), parts.end(),
            [](const auto& a, const auto& b) { return a->meta().part_id < b->meta().part_id; });
}

}  // namespace

base::Result<std::unique_ptr<Partition>> Partition::Create(const std::string& dir, const std::string& tenant,
                                                           uint32_t day) {
  RETURN_IF_ERROR(MkdirAll(dir));
  return std::unique_ptr<Partition>(new Partition(dir, tenant, day));
}

base::Result<std::unique_ptr<Partition>> Partition::Open(const std::string& dir, const std::string& tenant,
                                                         uint32_t day, PartitionOpenReport* report) {
  std::unique_ptr<Partition> p(new Partition(dir, tenant, day));
  DIR* d = ::opendir(dir.c_str());
  if (!d) return base::IoError("opendir", dir, errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  bool changed = false;
  std::vector<std::shared_ptr<const PartReader>> parts;
  for (const auto& name : names) {
    std::string path = dir + "/" + name;
    if (name.rfind(kPartTempPrefix, 0) == 0) {
      ::unlink(path.c_str());
      ++report->temporaries_deleted;
      changed = true;
      continue;
    }
    uint64_t id;
    if (!ParsePartFileName(name, &id)) continue;
    auto part = PartReader::Open(path);
    if (!part.ok()) {
      if (part.status().code() != base::StatusCode::kDataLoss) return part.status();
      ::rename(path.c_str(), (path + ".corrupt").c_str());
      report->quarantined.push_back(part.status().message());
      changed = true;
      continue;
    }
    parts.push_back(std::move(part).value());
  }
  // A merged part lists its inputs: any still present are leftovers of a crash between publish and unlink.
  std::set<uint64_t> superseded;
  for (const auto& part : parts) superseded.insert(part->meta().replaces.begin(), part->meta().replaces.end());
  for (const auto& part : parts) {
    if (superseded.count(part->meta().part_id)) {
      ::unlink(part->path().c_str());
      ++report->superseded_deleted;
      changed = true;
    } else {
      p->parts_.push_back(part);
    }
  }
  if (changed) RETURN_IF_ERROR(SyncDir(dir));
  SortById(p->parts_);
  return p;
}

std::vector<std::shared_ptr<const PartReader>> Partition::Parts() const {
  std::lock_guard lock(mu_);
  return parts_;
}

void Partition::Add(std::shared_ptr<const PartReader> part) {
  std::lock_guard lock(mu_);
  parts_.push_back(std::move(part));
  SortById(parts_);
}

base::Status Partition::Replace(const std::vector<uint64_t>& replaced, std::shared_ptr<const PartReader> merged) {
  std::vector<std::string> unlink_paths;
  {
    std::lock_guard lock(mu_);
    std::set<uint64_t> ids(replaced.begin(), replaced.end());
    std::vector<std::shared_ptr<const PartReader>> next;
    for (auto& part : parts_) {
      if (ids.count(part->meta().part_id)) {
        unlink_paths.push_back(part->path());
      } else {
        next.push_back(part);
      }
    }
    if (merged) next.push_back(std::move(merged));
    SortById(next);
    parts_ = std::move(next);
  }
  STRATA_FAULT_POINT("merge.before_unlink");
  for (const auto& path : unlink_paths) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return base::IoError("unlink", path, errno);
  }
  return SyncDir(dir_);
}

uint64_t Partition::WalSeqEnd() const {
  std::lock_guard lock(mu_);
  uint64_t v = 0;
  for (const auto& p : parts_) v = std::max(v, p->meta().wal_seq_end);
  return v;
}

uint64_t Partition::MaxPartId() const {
  std::lock_guard lock(mu_);
  return parts_.empty() ? 0 : parts_.back()->meta().part_id;
}

uint64_t Partition::Bytes() const {
  std::lock_guard lock(mu_);
  uint64_t v = 0;
  for (const auto& p : parts_) v += p->file_size();
  return v;
}

uint64_t Partition::Rows() const {
  std::lock_guard lock(mu_);
  uint64_t v = 0;
  for (const auto& p : parts_) v += p->meta().rows;
  return v;
}

}  // namespace strata::storage
