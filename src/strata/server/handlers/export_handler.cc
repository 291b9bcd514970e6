#include "strata/server/handlers/export_handler.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "strata/common/json_writer.h"
#include "strata/model/time_format.h"
#include "strata/server/handlers/request_context.h"

namespace strata::server {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;

void AppendObject(std::string& out, const std::vector<model::Field>& pairs) {
  out += '{';
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i) out += ',';
    common::AppendJsonString(out, pairs[i].name);
    out += ':';
    common::AppendJsonString(out, pairs[i].value);
  }
  out += '}';
}

base::Result<int64_t> TimeParam(const HttpRequest& request, const char* name, int64_t fallback) {
  if (!request.HasQuery(name)) return fallback;
  auto t = model::ParseTimestamp(request.Query(name));
  if (!t.ok()) {
    return base::InvalidArgument(std::string(name) + ": \"" + std::string(request.Query(name)) +
                                 "\" is not ISO-8601 or an epoch");
  }
  return t;
}

// Runs the scan on its own thread and hands NDJSON chunks to the HTTP writer through a small bounded queue, so
// an export of any size holds at most kMaxQueuedChunks chunks plus one decoded block. If the client goes away
// the producer is destroyed, which cancels the scan.
class ExportStream {
 public:
  ExportStream(const storage::StorageEngine& storage, storage::ScanRequest request)
      : storage_(storage), request_(std::move(request)) {
    request_.cancel = &cancel_;
    thread_ = std::thread([this] { Produce(); });
  }
  ~ExportStream() {
    cancel_ = true;
    {
      std::lock_guard lock(mu_);
      cv_.notify_all();
    }
    thread_.join();
  }

  base::Result<bool> Next(std::string* chunk) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (!queue_.empty()) {
      *chunk = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
      return true;
    }
    if (!status_.ok()) return status_;
    return false;
  }

 private:
  static constexpr size_t kMaxQueuedChunks = 4;

  void Produce() {
    std::string chunk;
    model::LogRecord record;
    auto push = [&](std::string&& c) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return queue_.size() < kMaxQueuedChunks || cancel_; });
      if (cancel_) return false;
      queue_.push_back(std::move(c));
      cv_.notify_all();
      return true;
    };
    uint64_t emitted = 0;
    const uint64_t limit = request_.limit;
    base::Status st = storage_.Scan(request_, [&](const storage::RowBatch& batch) {
      record.labels = *batch.labels;
      for (size_t i = 0; i < batch.size(); ++i) {
        if (limit && emitted >= limit) return false;
        record.timestamp_ns = batch.timestamps[i];
        record.message.assign(batch.messages.at(i));
        record.fields.clear();
        for (const auto& [name, column] : batch.fields) {
          if (!column.at(i).empty()) record.fields.push_back({name, std::string(column.at(i))});
        }
        AppendExportLine(chunk, record);
        ++emitted;
        if (chunk.size() >= kChunkBytes) {
          if (!push(std::move(chunk))) return false;
          chunk.clear();
        }
      }
      return true;
    });
    if (st.ok() && !chunk.empty()) push(std::move(chunk));
    std::lock_guard lock(mu_);
    status_ = st;
    done_ = true;
    cv_.notify_all();
  }

  const storage::StorageEngine& storage_;
  storage::ScanRequest request_;
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool done_ = false;
  base::Status status_;
  std::thread thread_;
};

}  // namespace

void AppendExportLine(std::string& out, const model::LogRecord& r) {
  out += "{\"timestamp\":\"";
  out += model::FormatRfc3339Nanos(r.timestamp_ns);
  out += "\",\"labels\":";
  AppendObject(out, r.labels);
  out += ",\"message\":";
  common::AppendJsonString(out, r.message);
  out += ",\"fields\":";
  AppendObject(out, r.fields);
  out += "}\n";
}

Handler MakeExportHandler(const storage::StorageEngine& storage, const Config& config) {
  return [&storage, &config](HttpRequest&& request, Responder respond) {
    auto ctx = ContextFor(request, config.default_tenant);
    if (!ctx.ok()) return respond(ErrorResponse(ctx.status()));
    if (!storage.ready()) return respond(ErrorResponse(base::Unavailable("WAL replay in progress")));
    auto from = TimeParam(request, "from", std::numeric_limits<int64_t>::min());
    if (!from.ok()) return respond(ErrorResponse(from.status()));
    auto to = TimeParam(request, "to", std::numeric_limits<int64_t>::max());
    if (!to.ok()) return respond(ErrorResponse(to.status()));
    if (*from > *to) return respond(ErrorResponse(base::InvalidArgument("from must not be after to")));
    storage::ScanRequest scan;
    scan.tenant = ctx->tenant;
    scan.from = *from;
    scan.to = *to;
    scan.direction = storage::Direction::kForward;
    for (const auto& [k, v] : request.query) {
      if (k == "from" || k == "to") continue;
      if (k == "limit") {
        uint64_t n = 0;
        for (char c : v) {
          if (c < '0' || c > '9') return respond(ErrorResponse(base::InvalidArgument("limit: expected an integer")));
          n = n * 10 + static_cast<uint64_t>(c - '0');
        }
        scan.limit = n;
        continue;
      }
      auto m = storage::MakeLabelMatcher(k, storage::LabelMatcher::Op::kEq, v);
      if (!m.ok()) return respond(ErrorResponse(m.status()));
      scan.matchers.push_back(std::move(m).value());
    }
    auto stream = std::make_shared<ExportStream>(storage, std::move(scan));
    HttpResponse r;
    r.content_type = "application/x-ndjson";
    r.stream = [stream](std::string* chunk) { return stream->Next(chunk); };
    respond(std::move(r));
  };
}

}  // namespace strata::server
