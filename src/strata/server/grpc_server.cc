#include "strata/server/grpc_server.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <mutex>
#include <set>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "strata/base/clock.h"
#include "strata/ingest/otlp/native_push.h"
#include "strata/ingest/otlp/otlp_decoder.h"
#include "strata/ingest/otlp/otlp_values.h"
#include "strata/server/handlers/request_context.h"
#include "strata/v1/ingest.grpc.pb.h"

namespace strata::server {
namespace {

namespace otlp = ingest::otlp;
using OtlpService = opentelemetry::proto::collector::logs::v1::LogsService;
using strata::v1::PushRequest;
using strata::v1::PushResponse;

constexpr size_t kMaxListedRejections = 1000;
constexpr int kMaxStreamBatchesInFlight = 4;  // PushStream reads ahead this many batches before waiting

// A Strata status as a gRPC status; the retryable codes carry RetryInfo (1 s) in a google.rpc.Status detail.
grpc::Status ToGrpc(const base::Status& st) {
  const auto code = static_cast<grpc::StatusCode>(base::GrpcCodeFor(st.code()));
  // Status messages travel percent-encoded, but clients print them as UTF-8 text.
  std::string message = otlp::ValidUtf8(st.message());
  if (st.code() != base::StatusCode::kResourceExhausted && st.code() != base::StatusCode::kUnavailable) {
    return grpc::Status(code, message);
  }
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(1);
  details.add_details()->PackFrom(retry);
  return grpc::Status(code, message, details.SerializeAsString());
}

// Unary methods take raw bytes so that a body that is not valid protobuf is INVALID_ARGUMENT (gRPC's own
// deserialisation failure would answer a misleading status), as OTLP specifies for malformed data.
bool ParseByteBuffer(const grpc::ByteBuffer& buffer, google::protobuf::Message* message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string data;
  data.reserve(buffer.Length());
  for (const auto& slice : slices) data.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return message->ParseFromString(data);
}

grpc::ByteBuffer ToByteBuffer(const google::protobuf::Message& message) {
  std::string data = message.SerializeAsString();
  grpc::Slice slice(data);
  return grpc::ByteBuffer(&slice, 1);
}

const base::Status kMalformed = base::InvalidArgument(
    "malformed protobuf: not the request message (truncated, bad wire type or invalid UTF-8 in a string)");

std::string ReasonLabel(const std::string& reason) {
  std::string label = reason.substr(0, reason.find(':'));
  for (char& c : label) c = (c == ' ' || c == '-' || c == '.') ? '_' : static_cast<char>(std::tolower(c));
  return label.empty() ? "other" : label;
}

}  // namespace

class GrpcServer::Impl {
 public:
  Impl(ingest::IngestSink& sink, const model::LabelPolicy& labels, const Config& config,
       observability::Registry& registry)
      : sink_(sink),
        labels_(labels),
        config_(config),
        requests_(registry.AddCounter("strata_grpc_requests_total", "gRPC requests by method and status code.",
                                      {"method", "code"})),
        otlp_service_(*this),
        ingest_service_(*this) {}

  base::Status Start() {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(config_.grpc_listen, grpc::InsecureServerCredentials(), &port);
    // Without this gRPC binds with SO_REUSEPORT, and a second server on the same port would start silently.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    const int max_message = static_cast<int>(std::min<uint64_t>(config_.max_body_bytes, INT32_MAX));
    builder.SetMaxReceiveMessageSize(max_message);
    builder.RegisterService(&otlp_service_);
    builder.RegisterService(&ingest_service_);
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || port == 0) {
      server_.reset();
      return base::Unavailable("cannot listen for gRPC on \"" + config_.grpc_listen + "\"");
    }
    bound_ = config_.grpc_listen.substr(0, config_.grpc_listen.rfind(':')) + ":" + std::to_string(port);
    return base::Status::Ok();
  }

  void Stop(std::chrono::milliseconds timeout) {
    if (server_ == nullptr) return;
    // Waits for every RPC in flight (up to the deadline, then cancels them) and for every reactor to finish.
    server_->Shutdown(std::chrono::system_clock::now() + timeout);
    server_.reset();
  }

  const std::string& bound() const { return bound_; }

  // The tenant from the call's metadata (the HTTP rules, applied to the same header names).
  base::Result<std::string> TenantOf(const grpc::CallbackServerContext& context) const {
    HttpRequest pseudo;
    for (const auto& [k, v] : context.client_metadata()) {
      std::string_view key(k.data(), k.size());
      if (key == "x-tenant-id" || key == "x-scope-orgid" || key == "authorization") {
        pseudo.headers.emplace_back(std::string(key), std::string(v.data(), v.size()));
      }
    }
    ASSIGN_OR_RETURN(RequestContext ctx, ContextFor(pseudo, config_.default_tenant));
    return ctx.tenant;
  }

  otlp::MapOptions Options() const {
    otlp::MapOptions o;
    o.labels = &labels_;
    o.max_line_bytes = config_.max_line_bytes;
    o.max_fields = config_.max_fields_per_line;
    o.receive_time_ns = base::SystemClock::Get().NowNanos();
    return o;
  }

  void CountRejected(const std::string& tenant, const otlp::MapResult& result) {
    for (const auto& r : result.rejected) sink_.CountRejected(tenant, ReasonLabel(r.reason), 1);
  }

  // Finishes a unary call, counting it.
  void Finish(grpc::ServerUnaryReactor* reactor, const char* method, const std::string& tenant,
              const base::Status& st) {
    if (!st.ok() && !tenant.empty()) sink_.CountError(tenant, base::StatusCodeName(st.code()));
    requests_.WithLabels({method, std::to_string(base::GrpcCodeFor(st.code()))}).Inc();
    reactor->Finish(st.ok() ? grpc::Status::OK : ToGrpc(st));
  }

  // OTLP/gRPC: LogsService/Export.
  class OtlpLogs final : public OtlpService::WithRawCallbackMethod_Export<OtlpService::Service> {
   public:
    explicit OtlpLogs(Impl& impl) : impl_(impl) {}
    grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
                                     grpc::ByteBuffer* raw_response) override {
      static constexpr const char* kMethod = "otlp.LogsService/Export";
      grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
      auto tenant = impl_.TenantOf(*context);
      if (!tenant.ok()) {
        impl_.Finish(reactor, kMethod, "", tenant.status());
        return reactor;
      }
      otlp::ExportRequest request;
      if (!ParseByteBuffer(*raw_request, &request)) {
        impl_.Finish(reactor, kMethod, *tenant, kMalformed);
        return reactor;
      }
      auto mapped = otlp::MapExportRequest(request, impl_.Options());
      if (!mapped.ok()) {
        impl_.Finish(reactor, kMethod, *tenant, mapped.status());
        return reactor;
      }
      impl_.CountRejected(*tenant, *mapped);
      *raw_response = ToByteBuffer(otlp::ResponseFor(*mapped));
      if (mapped->records.empty()) {
        impl_.Finish(reactor, kMethod, *tenant, base::Status::Ok());
        return reactor;
      }
      Impl* impl = &impl_;
      std::string t = *tenant;
      base::Status st = impl_.sink_.Ingest(*tenant, std::move(mapped->records),
                                           [impl, reactor, t](const base::Status& durable) {
                                             impl->Finish(reactor, kMethod, t, durable);
                                           });
      if (!st.ok()) impl_.Finish(reactor, kMethod, *tenant, st);
      return reactor;
    }

   private:
    Impl& impl_;
  };

  class PushStreamReactor;

  // strata.v1.Ingest.
  class NativeIngest final
      : public strata::v1::Ingest::WithRawCallbackMethod_Push<strata::v1::Ingest::WithCallbackMethod_PushStream<
            strata::v1::Ingest::Service>> {
   public:
    explicit NativeIngest(Impl& impl) : impl_(impl) {}
    grpc::ServerUnaryReactor* Push(grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
                                   grpc::ByteBuffer* raw_response) override;
    grpc::ServerReadReactor<PushRequest>* PushStream(grpc::CallbackServerContext* context,
                                                     PushResponse* response) override;

   private:
    Impl& impl_;
  };

  ingest::IngestSink& sink_;
  const model::LabelPolicy& labels_;
  const Config& config_;
  observability::Family<observability::Counter>& requests_;
  OtlpLogs otlp_service_;
  NativeIngest ingest_service_;
  std::unique_ptr<grpc::Server> server_;
  std::string bound_;
};

namespace {

void AddRejections(const otlp::MapResult& result, PushResponse* response) {
  response->set_rejected(response->rejected() + static_cast<int64_t>(result.rejected.size()));
  for (const auto& r : result.rejected) {
    if (static_cast<size_t>(response->rejections_size()) >= kMaxListedRejections) break;
    auto* out = response->add_rejections();
    out->set_index(static_cast<int64_t>(r.index));
    out->set_reason(otlp::ValidUtf8(r.reason));
  }
}

}  // namespace

grpc::ServerUnaryReactor* GrpcServer::Impl::NativeIngest::Push(grpc::CallbackServerContext* context,
                                                                const grpc::ByteBuffer* raw_request,
                                                                grpc::ByteBuffer* raw_response) {
  static constexpr const char* kMethod = "strata.v1.Ingest/Push";
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto tenant = impl_.TenantOf(*context);
  if (!tenant.ok()) {
    impl_.Finish(reactor, kMethod, "", tenant.status());
    return reactor;
  }
  PushRequest request;
  if (!ParseByteBuffer(*raw_request, &request)) {
    impl_.Finish(reactor, kMethod, *tenant, kMalformed);
    return reactor;
  }
  auto mapped = otlp::MapPushRequest(request, impl_.Options());
  if (!mapped.ok()) {
    impl_.Finish(reactor, kMethod, *tenant, mapped.status());
    return reactor;
  }
  impl_.CountRejected(*tenant, *mapped);
  PushResponse response;
  AddRejections(*mapped, &response);
  if (mapped->records.empty()) {
    if (mapped->rejected.empty()) {
      *raw_response = ToByteBuffer(response);
      impl_.Finish(reactor, kMethod, *tenant, base::Status::Ok());
    } else {
      const auto& first = mapped->rejected.front();
      impl_.Finish(reactor, kMethod, *tenant,
                   base::InvalidArgument("all " + std::to_string(mapped->rejected.size()) +
                                         " entries were rejected; first: #" + std::to_string(first.index) + " " +
                                         first.reason));
    }
    return reactor;
  }
  const auto accepted = static_cast<int64_t>(mapped->records.size());
  Impl* impl = &impl_;
  std::string t = *tenant;
  response.set_accepted(accepted);
  *raw_response = ToByteBuffer(response);  // sent only with an OK status, i.e. once durable
  base::Status st = impl_.sink_.Ingest(*tenant, std::move(mapped->records),
                                       [impl, reactor, t](const base::Status& durable) {
                                         impl->Finish(reactor, kMethod, t, durable);
                                       });
  if (!st.ok()) impl_.Finish(reactor, kMethod, *tenant, st);
  return reactor;
}

// PushStream: reads batches, ingests each as it arrives (at most kMaxStreamBatchesInFlight waiting for the WAL),
// and answers once after the client half-closes and every batch is durable. On the first failure it stops
// reading and finishes with that status once the batches in flight have settled. Trailing metadata
// `strata-durable-messages` = the number of leading messages that are durable (resend from there).
//
// Threads: gRPC runs OnReadDone/OnDone, the WAL writer runs the ingest callbacks; mu_ orders them. StartRead and
// Finish are never called with mu_ held, because gRPC may run the next reaction (even OnDone, which deletes the
// reactor) inline inside them: each step decides under the lock, then acts after releasing it, and touches
// nothing after Finish. Finish is only called with nothing in flight, so no ingest callback outlives the reactor.
class GrpcServer::Impl::PushStreamReactor final : public grpc::ServerReadReactor<PushRequest> {
 public:
  static constexpr const char* kMethod = "strata.v1.Ingest/PushStream";

  PushStreamReactor(Impl& impl, grpc::CallbackServerContext* context, PushResponse* response)
      : impl_(impl), context_(context), response_(response) {
    auto tenant = impl_.TenantOf(*context);
    Step step;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (tenant.ok()) {
        tenant_ = *tenant;
      } else {
        failure_ = tenant.status();
      }
      step = NextLocked();
    }
    Act(std::move(step));
  }

  void OnReadDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mu_);
    read_pending_ = false;
    if (finished_) return;
    if (!ok) {  // half-close, or the call was cancelled (Finish is still required)
      reading_done_ = true;
    } else if (failure_.ok()) {
      const size_t message = next_message_++;
      auto mapped = otlp::MapPushRequest(request_, impl_.Options(), entries_seen_);
      entries_seen_ += static_cast<size_t>(request_.entries_size());
      if (!mapped.ok()) {
        failure_ = mapped.status();
      } else {
        impl_.CountRejected(tenant_, *mapped);
        AddRejections(*mapped, response_);
        if (mapped->records.empty()) {
          MarkDurableLocked(message);
        } else {
          const auto count = static_cast<int64_t>(mapped->records.size());
          ++in_flight_;
          lock.unlock();  // the sink may call back at once on the WAL thread, which takes mu_
          base::Status st = impl_.sink_.Ingest(tenant_, std::move(mapped->records),
                                               [this, message, count](const base::Status& durable) {
                                                 OnDurable(message, count, durable);
                                               });
          lock.lock();
          if (!st.ok()) {
            --in_flight_;
            if (failure_.ok()) failure_ = st;
          }
        }
      }
    }
    Step step = NextLocked();
    lock.unlock();
    Act(std::move(step));
  }

  void OnDone() override { delete this; }

 private:
  struct Step {
    bool read = false;
    bool finish = false;
    grpc::Status status;
  };

  void OnDurable(size_t message, int64_t count, const base::Status& durable) {
    Step step;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
      if (durable.ok()) {
        response_->set_accepted(response_->accepted() + count);
        MarkDurableLocked(message);
      } else if (failure_.ok()) {
        failure_ = durable;
      }
      step = NextLocked();
    }
    Act(std::move(step));
  }

  void MarkDurableLocked(size_t message) {
    durable_.insert(message);
    while (!durable_.empty() && *durable_.begin() == durable_prefix_) {
      durable_.erase(durable_.begin());
      ++durable_prefix_;
    }
  }

  // What to do next: finish once nothing is in flight and the stream is over (half-close or failure); else read
  // the next message unless one is pending or too many batches wait for the WAL (OnDurable resumes).
  Step NextLocked() {
    Step step;
    if (finished_) return step;
    const bool over = reading_done_ || !failure_.ok();
    if (over) {
      if (in_flight_ > 0 || read_pending_ && failure_.ok()) return step;
      finished_ = true;
      step.finish = true;
      step.status = failure_.ok() ? grpc::Status::OK : ToGrpc(failure_);
      context_->AddTrailingMetadata("strata-durable-messages", std::to_string(durable_prefix_));
      if (!failure_.ok() && !tenant_.empty()) {
        impl_.sink_.CountError(tenant_, base::StatusCodeName(failure_.code()));
      }
      impl_.requests_.WithLabels({kMethod, std::to_string(base::GrpcCodeFor(failure_.code()))}).Inc();
      return step;
    }
    if (read_pending_ || in_flight_ >= kMaxStreamBatchesInFlight) return step;
    read_pending_ = true;
    step.read = true;
    return step;
  }

  // Called without mu_; nothing of this object may be touched after Finish (OnDone may have deleted it).
  void Act(Step step) {
    if (step.read) {
      StartRead(&request_);
    } else if (step.finish) {
      Finish(std::move(step.status));
    }
  }

  Impl& impl_;
  grpc::CallbackServerContext* context_;
  PushResponse* response_;
  std::mutex mu_;
  PushRequest request_;  // the read buffer: written by gRPC only while read_pending_
  std::string tenant_;
  bool read_pending_ = false;
  bool reading_done_ = false;
  bool finished_ = false;
  int in_flight_ = 0;
  size_t next_message_ = 0;
  size_t entries_seen_ = 0;
  size_t durable_prefix_ = 0;
  std::set<size_t> durable_;  // durable messages beyond durable_prefix_
  base::Status failure_;
};

grpc::ServerReadReactor<PushRequest>* GrpcServer::Impl::NativeIngest::PushStream(grpc::CallbackServerContext* context,
                                                                                  PushResponse* response) {
  return new PushStreamReactor(impl_, context, response);
}

GrpcServer::GrpcServer(ingest::IngestSink& sink, const model::LabelPolicy& labels, const Config& config,
                       observability::Registry& registry)
    : impl_(std::make_unique<Impl>(sink, labels, config, registry)) {}

GrpcServer::~GrpcServer() { Stop(std::chrono::milliseconds(0)); }

base::Status GrpcServer::Start() { return impl_->Start(); }
std::string GrpcServer::BoundAddress() const { return impl_->bound(); }
void GrpcServer::Stop(std::chrono::milliseconds timeout) { impl_->Stop(timeout); }

}  // namespace strata::server
