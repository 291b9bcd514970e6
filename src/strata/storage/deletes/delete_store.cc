#include "strata/storage/deletes/delete_store.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <set>

#include "strata/base/clock.h"
#include "strata/base/fault_point.h"
#include "strata/common/json_writer.h"

namespace strata::storage {
namespace {

constexpr const char* kFileName = "requests.json";
constexpr const char* kTmpName = "requests.json.tmp";
constexpr int64_t kFormatVersion = 1;
constexpr uint64_t kSeqBits = 20;

std::string ParentOf(const std::string& dir) {
  size_t slash = dir.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return dir.substr(0, slash);
}

base::Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return base::IoError("open", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return base::IoError("fsync", dir, err);
  return base::Status::Ok();
}

// Reads a whole file; *missing is set (and OK returned) when it does not exist.
base::Status ReadFile(const std::string& path, std::string* out, bool* missing) {
  *missing = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      *missing = true;
      return base::Status::Ok();
    }
    return base::IoError("open", path, errno);
  }
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return base::IoError("read", path, err);
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return base::Status::Ok();
}

bool ParseStatus(std::string_view name, DeleteStatus* out) {
  for (DeleteStatus s : {DeleteStatus::kPending, DeleteStatus::kProcessed, DeleteStatus::kCancelled}) {
    if (DeleteStatusName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

std::string Serialize(const std::vector<DeleteRequest>& requests, uint64_t next_seq) {
  std::string out = "{\"version\":" + std::to_string(kFormatVersion) + ",\"next_seq\":" + std::to_string(next_seq) +
                    ",\"requests\":[";
  for (size_t i = 0; i < requests.size(); ++i) {
    const DeleteRequest& r = requests[i];
    out += i ? ",\n" : "\n";
    out += "{\"id\":";
    common::AppendJsonString(out, r.id);
    out += ",\"tenant\":";
    common::AppendJsonString(out, r.tenant);
    out += ",\"query\":";
    common::AppendJsonString(out, r.selector.text);
    out += ",\"from\":" + std::to_string(r.from);
    out += ",\"to\":" + std::to_string(r.to);
    out += ",\"status\":";
    common::AppendJsonString(out, DeleteStatusName(r.status));
    out += ",\"created_ns\":" + std::to_string(r.created_ns);
    out += ",\"processed_ns\":" + std::to_string(r.processed_ns);
    out += '}';
  }
  out += "\n]}\n";
  return out;
}

bool IsActive(const DeleteRequest& r) { return r.status != DeleteStatus::kCancelled; }

const std::shared_ptr<const std::vector<DeleteRequest>>& EmptySnapshot() {
  static const auto* empty =
      new std::shared_ptr<const std::vector<DeleteRequest>>(std::make_shared<const std::vector<DeleteRequest>>());
  return *empty;
}

}  // namespace

base::Result<std::unique_ptr<DeleteStore>> DeleteStore::Open(const std::string& dir) {
  std::unique_ptr<DeleteStore> store(new DeleteStore(dir));
  RETURN_IF_ERROR(store->Load());
  return store;
}

base::Status DeleteStore::Load() {
  std::lock_guard lock(mu_);
  // A temporary left by a crash before its rename is an unacknowledged change: drop it.
  ::unlink(PathOf(kTmpName).c_str());
  struct stat st;
  dir_ready_ = ::stat(dir_.c_str(), &st) == 0 && S_ISDIR(st.st_mode);

  const std::string path = PathOf(kFileName);
  std::string text;
  bool missing = false;
  RETURN_IF_ERROR(ReadFile(path, &text, &missing));
  if (missing) return base::Status::Ok();

  auto corrupt = [&](const std::string& what) { return base::DataLoss("delete requests file " + path + ": " + what); };
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc); err) {
    return corrupt(std::string("malformed JSON: ") + simdjson::error_message(err));
  }
  int64_t version = 0;
  if (doc["version"].get_int64().get(version) || version != kFormatVersion) {
    return corrupt("missing or unsupported version");
  }
  uint64_t next_seq = 0;
  if (doc["next_seq"].get_uint64().get(next_seq)) return corrupt("missing next_seq");
  simdjson::dom::array items;
  if (doc["requests"].get_array().get(items)) return corrupt("missing requests array");

  std::vector<DeleteRequest> requests;
  std::set<std::string, std::less<>> ids;
  size_t index = 0;
  for (simdjson::dom::element item : items) {
    const std::string where = "request #" + std::to_string(index++);
    simdjson::dom::object obj;
    if (item.get_object().get(obj)) return corrupt(where + ": expected an object");
    std::string_view id, tenant, query, status;
    DeleteRequest r;
    if (obj["id"].get_string().get(id) || id.empty()) return corrupt(where + ": bad id");
    if (obj["tenant"].get_string().get(tenant) || tenant.empty()) return corrupt(where + ": bad tenant");
    if (obj["query"].get_string().get(query)) return corrupt(where + ": bad query");
    if (obj["status"].get_string().get(status) || !ParseStatus(status, &r.status)) {
      return corrupt(where + ": bad status");
    }
    if (obj["from"].get_int64().get(r.from) || obj["to"].get_int64().get(r.to) || r.from > r.to) {
      return corrupt(where + ": bad time range");
    }
    if (obj["created_ns"].get_int64().get(r.created_ns) || obj["processed_ns"].get_int64().get(r.processed_ns)) {
      return corrupt(where + ": bad created_ns or processed_ns");
    }
    if (!ids.insert(std::string(id)).second) return corrupt(where + ": duplicate id " + std::string(id));
    auto selector = ParseStreamSelector(query);
    if (!selector.ok()) return corrupt(where + " (" + std::string(id) + "): " + selector.status().message());
    r.id = std::string(id);
    r.tenant = std::string(tenant);
    r.selector = std::move(selector).value();
    requests.push_back(std::move(r));
  }

  requests_ = std::move(requests);
  next_seq_ = std::max<uint64_t>(next_seq, requests_.size());
  std::map<std::string, std::vector<DeleteRequest>> active;
  for (const auto& r : requests_) {
    if (IsActive(r)) active[r.tenant].push_back(r);
  }
  active_.clear();
  for (auto& [tenant, list] : active) {
    active_[tenant] = std::make_shared<const std::vector<DeleteRequest>>(std::move(list));
  }
  return base::Status::Ok();
}

base::Status DeleteStore::Persist(const std::vector<DeleteRequest>& requests, uint64_t next_seq) {
  if (!dir_ready_) {
    if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) return base::IoError("mkdir", dir_, errno);
    RETURN_IF_ERROR(FsyncDir(ParentOf(dir_)));
    dir_ready_ = true;
  }
  const std::string tmp = PathOf(kTmpName);
  const std::string data = Serialize(requests, next_seq);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return base::IoError("open", tmp, errno);
  auto fail = [&](const char* op) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return base::IoError(op, tmp, err);
  };
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    off += static_cast<size_t>(n);
  }
  if (::fdatasync(fd) != 0) return fail("fdatasync");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return base::IoError("close", tmp, err);
  }
  STRATA_FAULT_POINT("deletes.before_rename");
  const std::string path = PathOf(kFileName);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return base::IoError("rename", path, err);
  }
  return FsyncDir(dir_);
}

void DeleteStore::Commit(std::vector<DeleteRequest> requests, uint64_t next_seq, const std::string& tenant) {
  requests_ = std::move(requests);
  next_seq_ = next_seq;
  // A fresh snapshot for this tenant only: scans holding the old one keep it alive until they finish.
  auto list = std::make_shared<std::vector<DeleteRequest>>();
  for (const auto& r : requests_) {
    if (r.tenant == tenant && IsActive(r)) list->push_back(r);
  }
  if (list->empty()) {
    active_.erase(tenant);
  } else {
    active_[tenant] = std::move(list);
  }
}

base::Result<DeleteRequest> DeleteStore::Add(DeleteRequest request) {
  if (request.tenant.empty()) return base::InvalidArgument("delete request: tenant must not be empty");
  if (request.from > request.to) return base::InvalidArgument("delete request: start must not be after end");
  // What is persisted is the text; parse it again so the rules in force now are exactly those after a restart.
  auto selector = ParseStreamSelector(request.selector.text);
  if (!selector.ok()) return selector.status();
  request.selector = std::move(selector).value();
  request.status = DeleteStatus::kPending;
  request.processed_ns = 0;

  std::lock_guard lock(mu_);
  const int64_t now = base::SystemClock::Get().NowNanos();
  request.created_ns = now;
  const uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(now, 0) / 1000000);
  uint64_t seq = next_seq_;
  while (true) {
    uint64_t v = (ms << kSeqBits) | (seq++ & ((uint64_t{1} << kSeqBits) - 1));
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016" PRIx64, v);
    bool taken = false;
    for (const auto& r : requests_) {
      if (r.id == buf) {
        taken = true;
        break;
      }
    }
    if (!taken) {
      request.id = buf;
      break;
    }
  }
  std::vector<DeleteRequest> next = requests_;
  next.push_back(request);
  RETURN_IF_ERROR(Persist(next, seq));
  Commit(std::move(next), seq, request.tenant);
  return request;
}

std::vector<DeleteRequest> DeleteStore::List(const std::string& tenant) const {
  std::lock_guard lock(mu_);
  std::vector<DeleteRequest> out;
  for (const auto& r : requests_) {
    if (r.tenant == tenant) out.push_back(r);
  }
  return out;
}

std::shared_ptr<const std::vector<DeleteRequest>> DeleteStore::Active(const std::string& tenant) const {
  std::lock_guard lock(mu_);
  auto it = active_.find(tenant);
  return it == active_.end() ? EmptySnapshot() : it->second;
}

std::vector<DeleteRequest> DeleteStore::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<DeleteRequest> out;
  for (const auto& r : requests_) {
    if (r.status == DeleteStatus::kPending) out.push_back(r);
  }
  return out;
}

base::Status DeleteStore::Cancel(const std::string& tenant, const std::string& id) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < requests_.size(); ++i) {
    const DeleteRequest& r = requests_[i];
    if (r.id != id || r.tenant != tenant) continue;
    if (r.status != DeleteStatus::kPending) {
      return base::Status(base::StatusCode::kFailedPrecondition,
                          "delete request " + id + " is already " + std::string(DeleteStatusName(r.status)));
    }
    std::vector<DeleteRequest> next = requests_;
    next[i].status = DeleteStatus::kCancelled;
    RETURN_IF_ERROR(Persist(next, next_seq_));
    Commit(std::move(next), next_seq_, tenant);
    return base::Status::Ok();
  }
  return base::NotFound("delete request " + id + " not found");
}

base::Status DeleteStore::MarkProcessed(const std::string& id, int64_t processed_ns) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < requests_.size(); ++i) {
    const DeleteRequest& r = requests_[i];
    if (r.id != id) continue;
    if (r.status == DeleteStatus::kProcessed) return base::Status::Ok();
    if (r.status == DeleteStatus::kCancelled) {
      return base::Status(base::StatusCode::kFailedPrecondition, "delete request " + id + " was cancelled");
    }
    std::vector<DeleteRequest> next = requests_;
    next[i].status = DeleteStatus::kProcessed;
    next[i].processed_ns = processed_ns;
    const std::string tenant = r.tenant;
    RETURN_IF_ERROR(Persist(next, next_seq_));
    Commit(std::move(next), next_seq_, tenant);
    return base::Status::Ok();
  }
  return base::NotFound("delete request " + id + " not found");
}

}  // namespace strata::storage
