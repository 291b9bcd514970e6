#include "strata/query/tail/tail_hub.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "strata/common/thread_pool.h"
#include "strata/query/pipeline/pipeline.h"

namespace strata::query {

struct TailHub::Core {
  TailHubOptions options;
  observability::Gauge* active = nullptr;
  observability::Counter* lost_batches = nullptr;

  mutable std::mutex mu;
  std::condition_variable cv;       // fan-out: work arrived or stop
  std::condition_variable idle_cv;  // WaitIdle: a batch was offered
  // Subscriptions per tenant, registered until their owner releases them (std::less<> for string_view lookups).
  std::map<std::string, std::vector<std::weak_ptr<TailSubscription>>, std::less<>> subscribers;
  std::atomic<size_t> total{0};
  struct Item {
    std::shared_ptr<const model::LogBatch> batch;
    TailClock::time_point arrived;
  };
  std::deque<Item> queue;
  uint64_t enqueued = 0;  // batches ever queued
  uint64_t offered = 0;   // batches ever offered to the subscribers
  bool stopping = false;
  std::thread fanout;
  std::unique_ptr<common::ThreadPool> backfills;

  // Called by a subscription's deleter: drops the expired registrations of its tenant.
  void Remove(const std::string& tenant) {
    std::lock_guard lock(mu);
    auto it = subscribers.find(tenant);
    if (it == subscribers.end()) return;
    size_t erased = std::erase_if(it->second, [](const auto& w) { return w.expired(); });
    total.fetch_sub(erased, std::memory_order_relaxed);
    if (it->second.empty()) subscribers.erase(it);
    if (active) active->Set(static_cast<double>(total.load(std::memory_order_relaxed)));
  }

  std::vector<std::shared_ptr<TailSubscription>> Snapshot(std::string_view tenant) const {
    std::vector<std::shared_ptr<TailSubscription>> out;
    auto it = subscribers.find(tenant);
    if (it == subscribers.end()) return out;
    for (const auto& w : it->second) {
      if (auto s = w.lock()) out.push_back(std::move(s));
    }
    return out;
  }

  void RunFanout() {
    for (;;) {
      Item item;
      std::vector<std::shared_ptr<TailSubscription>> targets;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [this] { return stopping || !queue.empty(); });
        if (stopping) return;
        item = std::move(queue.front());
        queue.pop_front();
        targets = Snapshot(item.batch->tenant);
      }
      for (const auto& s : targets) s->Offer(*item.batch, item.arrived);
      // Release our references before taking the lock: the last one runs the deleter, which takes it too.
      targets.clear();
      {
        std::lock_guard lock(mu);
        ++offered;
      }
      idle_cv.notify_all();
    }
  }
};

TailHub::TailHub(TailHubOptions options, observability::Registry* registry) : core_(std::make_shared<Core>()) {
  core_->options = std::move(options);
  if (core_->options.clock == nullptr) core_->options.clock = &base::SystemClock::Get();
  if (registry != nullptr) {
    core_->active = &registry->AddGauge("strata_tail_subscriptions", "Live tail subscriptions open now.", {})
                         .WithLabels({});
    core_->lost_batches = &registry
                               ->AddCounter("strata_tail_lost_batches_total",
                                            "Acknowledged batches not fanned out to live tails because the tail "
                                            "queue was full (their records count as dropped entries).",
                                            {})
                               .WithLabels({});
  }
  core_->backfills = std::make_unique<common::ThreadPool>(core_->options.backfill_threads);
  core_->fanout = std::thread([core = core_.get()] { core->RunFanout(); });
}

TailHub::~TailHub() { Shutdown(); }

void TailHub::Shutdown() {
  std::vector<std::shared_ptr<TailSubscription>> all;
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopping) return;
    core_->stopping = true;
    for (const auto& [tenant, subs] : core_->subscribers) {
      for (const auto& w : subs) {
        if (auto s = w.lock()) all.push_back(std::move(s));
      }
    }
    core_->queue.clear();
  }
  core_->cv.notify_all();
  core_->idle_cv.notify_all();
  if (core_->fanout.joinable()) core_->fanout.join();
  // Closing cancels running backfills; the pool then finishes (or skips) its queued ones and joins.
  for (const auto& s : all) s->Close(base::Unavailable("the server is shutting down"));
  all.clear();
  core_->backfills.reset();
}

base::Result<std::shared_ptr<TailSubscription>> TailHub::Subscribe(TailRequest request) {
  ASSIGN_OR_RETURN(std::vector<storage::LabelMatcher> matchers, ToStorageMatchers(request.expr.selector));
  std::shared_ptr<const Pipeline> pipeline;
  if (!request.expr.stages.empty()) {
    ASSIGN_OR_RETURN(Pipeline compiled, Pipeline::Compile(request.expr.stages));
    pipeline = std::make_shared<const Pipeline>(std::move(compiled));
  }
  const bool backfill = request.backfill_from_ns > 0;
  if (backfill && !core_->options.backfill) {
    return base::Status(base::StatusCode::kUnimplemented, "tail backfill is not available");
  }
  std::weak_ptr<Core> weak_core = core_;
  const std::string tenant = request.tenant;
  std::shared_ptr<TailSubscription> sub(
      new TailSubscription(request.tenant, std::move(matchers), std::move(pipeline), request.options, backfill),
      [weak_core, tenant](TailSubscription* s) {
        s->Cancel();
        delete s;
        // Unregister after deleting: the registration is a weak_ptr, expired by now, and Remove erases expired ones.
        if (auto core = weak_core.lock()) core->Remove(tenant);
      });
  int64_t subscribed_at_ns = 0;
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopping) return base::Unavailable("the server is shutting down");
    auto& subs = core_->subscribers[request.tenant];
    std::erase_if(subs, [](const auto& w) { return w.expired(); });
    if (subs.size() >= core_->options.max_tails_per_tenant) {
      return base::ResourceExhausted("max concurrent tail requests limit exceeded, count > limit (" +
                                     std::to_string(subs.size() + 1) + " > " +
                                     std::to_string(core_->options.max_tails_per_tenant) + ")");
    }
    subs.push_back(sub);
    size_t total = 0;
    for (const auto& [t, s] : core_->subscribers) total += s.size();
    core_->total.store(total, std::memory_order_relaxed);
    if (core_->active) core_->active->Set(static_cast<double>(total));
    subscribed_at_ns = core_->options.clock->NowNanos();
    if (backfill) {
      // Registered first (above), so nothing acknowledged from now on can be missed; rows acknowledged meanwhile
      // may be seen twice, which the subscription de-duplicates. The end bound lies ahead of now so that rows with
      // timestamps slightly in the future (clock skew between shippers and us) are part of the history too.
      const int64_t to_ns = subscribed_at_ns + int64_t{24} * 3600 * 1000000000;
      std::weak_ptr<TailSubscription> weak_sub = sub;
      core_->backfills->Submit([backfill_fn = core_->options.backfill, before = core_->options.before_backfill,
                                weak_sub, request = std::move(request), to_ns] {
        if (before) before();
        auto s = weak_sub.lock();
        if (!s || s->cancelled()) return;
        s->CompleteBackfill(backfill_fn(request, to_ns, s->cancel_flag()));
      });
    }
  }
  return sub;
}

bool TailHub::HasSubscribers(std::string_view tenant) const {
  if (core_->total.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard lock(core_->mu);
  auto it = core_->subscribers.find(tenant);
  return it != core_->subscribers.end() && !it->second.empty();
}

size_t TailHub::Subscribers(std::string_view tenant) const {
  std::lock_guard lock(core_->mu);
  auto it = core_->subscribers.find(tenant);
  if (it == core_->subscribers.end()) return 0;
  size_t n = 0;
  for (const auto& w : it->second) n += w.expired() ? 0 : 1;
  return n;
}

void TailHub::Publish(const model::LogBatch& batch) {
  if (!HasSubscribers(batch.tenant)) return;
  Publish(std::make_shared<const model::LogBatch>(batch));
}

void TailHub::Publish(std::shared_ptr<const model::LogBatch> batch) {
  if (!batch || batch->records.empty() || !HasSubscribers(batch->tenant)) return;
  const auto now = TailClock::now();
  std::vector<std::shared_ptr<TailSubscription>> overflowed;
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopping) return;
    if (core_->queue.size() >= core_->options.max_pending_batches) {
      overflowed = core_->Snapshot(batch->tenant);
    } else {
      core_->queue.push_back({std::move(batch), now});
      ++core_->enqueued;
    }
  }
  if (overflowed.empty()) {
    core_->cv.notify_one();
    return;
  }
  if (core_->lost_batches) core_->lost_batches->Inc();
  for (const auto& s : overflowed) s->CountLost(batch->records.size());
}

void TailHub::WaitIdle() {
  std::unique_lock lock(core_->mu);
  const uint64_t target = core_->enqueued;
  core_->idle_cv.wait(lock, [&] { return core_->stopping || core_->offered >= target; });
}

}  // namespace strata::query
