#include "strata/query/tail/tail_hub.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "strata/query/lang/logql_parser.h"

namespace strata::query {
namespace {

using std::chrono::milliseconds;

model::LogRecord Rec(int64_t ts, model::LabelSet labels, std::string msg) {
  model::LogRecord r;
  r.timestamp_ns = ts;
  r.labels = std::move(labels);
  r.message = std::move(msg);
  return r;
}

std::shared_ptr<const model::LogBatch> Batch(std::string tenant, std::vector<model::LogRecord> records) {
  return std::make_shared<const model::LogBatch>(model::LogBatch{std::move(tenant), std::move(records)});
}

TailRequest Request(std::string tenant, const std::string& logql) {
  TailRequest r;
  r.tenant = std::move(tenant);
  auto expr = ParseLogQL(logql);
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  r.expr = std::get<LogExpr>(expr->node);
  return r;
}

std::vector<std::string> Lines(const std::vector<LogEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.line);
  return out;
}

const model::LabelSet kApi{{"app", "api"}};
const model::LabelSet kWeb{{"app", "web"}};

TEST(TailHubTest, SubscribersAreTrackedPerTenantAndReleasedWithTheirOwner) {
  TailHub hub({});
  EXPECT_FALSE(hub.HasSubscribers("t1"));
  auto sub = hub.Subscribe(Request("t1", R"({app="api"})"));
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  EXPECT_TRUE(hub.HasSubscribers("t1"));
  EXPECT_FALSE(hub.HasSubscribers("t2"));
  EXPECT_EQ(hub.Subscribers("t1"), 1u);
  sub.value().reset();
  EXPECT_FALSE(hub.HasSubscribers("t1"));
  EXPECT_EQ(hub.Subscribers("t1"), 0u);
}

TEST(TailHubTest, PublishRoutesByTenantAndSelector) {
  TailHub hub({});
  auto a = hub.Subscribe(Request("t1", R"({app="api"})"));
  auto b = hub.Subscribe(Request("t1", R"({app=~".+"} != "skip")"));
  auto c = hub.Subscribe(Request("t2", R"({app="api"})"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  hub.Publish(Batch("t1", {Rec(1, kApi, "a1"), Rec(2, kWeb, "w1"), Rec(3, kWeb, "skip me")}));
  model::LogBatch by_ref{"t1", {Rec(4, kApi, "a2")}};
  hub.Publish(by_ref);
  hub.WaitIdle();
  auto now = TailClock::now();
  EXPECT_EQ(Lines((*a)->Take(100, now).entries), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(Lines((*b)->Take(100, now).entries), (std::vector<std::string>{"a1", "w1", "a2"}));
  EXPECT_TRUE((*c)->Take(100, now).entries.empty());
}

TEST(TailHubTest, ListenerRunsOffThePublishingThread) {
  TailHub hub({});
  auto sub = hub.Subscribe(Request("t1", R"({app="api"})"));
  ASSERT_TRUE(sub.ok());
  std::promise<std::thread::id> called;
  (*sub)->SetListener([&] { called.set_value(std::this_thread::get_id()); });
  hub.Publish(Batch("t1", {Rec(1, kApi, "x")}));
  auto f = called.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(f.get() != std::this_thread::get_id());
}

TEST(TailHubTest, CapsConcurrentTailsPerTenant) {
  TailHubOptions o;
  o.max_tails_per_tenant = 2;
  TailHub hub(o);
  auto s1 = hub.Subscribe(Request("t1", R"({app="api"})"));
  auto s2 = hub.Subscribe(Request("t1", R"({app="api"})"));
  ASSERT_TRUE(s1.ok() && s2.ok());
  auto s3 = hub.Subscribe(Request("t1", R"({app="api"})"));
  ASSERT_FALSE(s3.ok());
  EXPECT_EQ(s3.status().code(), base::StatusCode::kResourceExhausted);
  EXPECT_NE(s3.status().message().find("max concurrent tail requests"), std::string::npos);
  EXPECT_TRUE(hub.Subscribe(Request("t2", R"({app="api"})")).ok());  // per tenant
  s1.value().reset();
  EXPECT_TRUE(hub.Subscribe(Request("t1", R"({app="api"})")).ok());
}

TEST(TailHubTest, RejectsBadRegexes) {
  TailHub hub({});
  TailRequest r = Request("t1", R"({app="api"})");
  r.expr.selector.matchers[0].op = MatchOp::kRegex;
  r.expr.selector.matchers[0].value = "(";
  auto s = hub.Subscribe(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), base::StatusCode::kInvalidArgument);
}

TEST(TailHubTest, BackfillThenLiveWithoutGapsOrDuplicates) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::promise<void> started;
  // These outlive the hub: the listener may run until the hub shuts down (it closes the tail).
  std::promise<void> ready;
  std::atomic<bool> notified{false};
  TailRequest seen;
  TailHubOptions o;
  base::FakeClock clock(1'000'000'000'000);
  o.clock = &clock;
  o.backfill = [&](const TailRequest& req, int64_t to_ns,
                   const std::atomic<bool>* cancel) -> base::Result<std::vector<LogEntry>> {
    seen = req;
    EXPECT_GT(to_ns, clock.NowNanos());
    EXPECT_NE(cancel, nullptr);
    started.set_value();
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    // The history: two old rows and row 3, acknowledged after subscribing (so also delivered live).
    return std::vector<LogEntry>{{1, "h1", kApi, {}, {}}, {2, "h2", kApi, {}, {}}, {3, "live3", kApi, {}, {}}};
  };
  TailHub hub(o);
  TailRequest r = Request("t1", R"({app="api"})");
  r.backfill_from_ns = 5;
  r.limit = 7;
  auto sub = hub.Subscribe(r);
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  started.get_future().wait();
  EXPECT_EQ(seen.backfill_from_ns, 5);
  EXPECT_EQ(seen.limit, 7u);
  hub.Publish(Batch("t1", {Rec(3, kApi, "live3"), Rec(4, kApi, "live4")}));
  hub.WaitIdle();
  EXPECT_TRUE((*sub)->Take(100, TailClock::now()).entries.empty());  // live held until the history is in
  (*sub)->SetListener([&] {
    if (!notified.exchange(true)) ready.set_value();
  });
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  ASSERT_EQ(ready.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(Lines((*sub)->Take(100, TailClock::now()).entries),
            (std::vector<std::string>{"h1", "h2", "live3", "live4"}));
}

TEST(TailHubTest, TheInFlightBarrierRunsAfterRegisteringAndBeforeTheHistoryQuery) {
  std::vector<std::string> order;
  std::mutex mu;
  std::promise<void> done;
  TailHub* hub_ptr = nullptr;
  TailHubOptions o;
  o.before_backfill = [&] {
    std::lock_guard lock(mu);
    order.push_back(hub_ptr->HasSubscribers("t1") ? "barrier(subscribed)" : "barrier(not subscribed)");
  };
  o.backfill = [&](const TailRequest&, int64_t, const std::atomic<bool>*) -> base::Result<std::vector<LogEntry>> {
    {
      std::lock_guard lock(mu);
      order.push_back("history");
    }
    done.set_value();
    return std::vector<LogEntry>{};
  };
  TailHub hub(o);
  hub_ptr = &hub;
  TailRequest r = Request("t1", R"({app="api"})");
  r.backfill_from_ns = 1;
  auto sub = hub.Subscribe(r);
  ASSERT_TRUE(sub.ok());
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<std::string>{"barrier(subscribed)", "history"}));
}

TEST(TailHubTest, BackfillWithoutAnEngineIsUnimplemented) {
  TailHub hub({});
  TailRequest r = Request("t1", R"({app="api"})");
  r.backfill_from_ns = 1;
  auto s = hub.Subscribe(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), base::StatusCode::kUnimplemented);
}

TEST(TailHubTest, AStuckSubscriberNeverBlocksPublish) {
  TailHubOptions o;
  o.max_pending_batches = 2;
  TailHub hub(o);
  auto sub = hub.Subscribe(Request("t1", R"({app="api"})"));
  ASSERT_TRUE(sub.ok());
  // A listener that blocks stalls the fan-out thread (listeners must not block; this one does on purpose).
  std::mutex mu;
  std::condition_variable cv;
  bool unblock = false;
  std::promise<void> stuck;
  (*sub)->SetListener([&] {
    stuck.set_value();
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return unblock; });
  });
  hub.Publish(Batch("t1", {Rec(1, kApi, "1")}));
  stuck.get_future().wait();
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) hub.Publish(Batch("t1", {Rec(10 + i, kApi, "x"), Rec(10 + i, kApi, "y")}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  {
    std::lock_guard lock(mu);
    unblock = true;
  }
  cv.notify_all();
  hub.WaitIdle();
  TailBatch b = (*sub)->Take(100, TailClock::now());
  // 2 batches fit the queue; 8 batches of 2 records were lost.
  EXPECT_EQ(b.entries.size(), 1u + 2 * 2);
  EXPECT_EQ(b.dropped_count, 8u * 2);
}

TEST(TailHubTest, ShutdownClosesSubscriptions) {
  TailHub hub({});
  auto sub = hub.Subscribe(Request("t1", R"({app="api"})"));
  ASSERT_TRUE(sub.ok());
  hub.Shutdown();
  ASSERT_TRUE((*sub)->closed().has_value());
  EXPECT_EQ((*sub)->closed()->code(), base::StatusCode::kUnavailable);
  auto again = hub.Subscribe(Request("t1", R"({app="api"})"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), base::StatusCode::kUnavailable);
  hub.Publish(Batch("t1", {Rec(1, kApi, "late")}));  // a no-op, not a crash
  sub.value().reset();                                // releasing after shutdown is fine too
}

}  // namespace
}  // namespace strata::query
