#include "strata/query/tail/tail_subscription.h"

#include <gtest/gtest.h>

#include "strata/query/engine/query_engine.h"
#include "strata/query/lang/logql_parser.h"

namespace strata::query {
namespace {

using std::chrono::milliseconds;

model::LogRecord Rec(int64_t ts, model::LabelSet labels, std::string msg, std::vector<model::Field> fields = {}) {
  model::LogRecord r;
  r.timestamp_ns = ts;
  r.labels = std::move(labels);
  r.message = std::move(msg);
  r.fields = std::move(fields);
  return r;
}

model::LogBatch Batch(std::vector<model::LogRecord> records) { return {"t1", std::move(records)}; }

std::vector<storage::LabelMatcher> Matchers(const std::string& query) {
  auto expr = ParseLogQL(query);
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  auto m = ToStorageMatchers(std::get<LogExpr>(expr->node).selector);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.value();
}

std::shared_ptr<const Pipeline> CompiledPipeline(const std::string& query) {
  auto expr = ParseLogQL(query);
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  auto p = Pipeline::Compile(std::get<LogExpr>(expr->node).stages);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::make_shared<const Pipeline>(std::move(p).value());
}

std::vector<std::string> Lines(const TailBatch& b) {
  std::vector<std::string> out;
  for (const auto& e : b.entries) out.push_back(e.line);
  return out;
}

const model::LabelSet kApi{{"app", "api"}};
const model::LabelSet kWeb{{"app", "web"}};

TEST(TailSubscriptionTest, QueuesOnlyRecordsMatchingTheSelector) {
  TailSubscription sub("t1", Matchers(R"({app="api"})"), nullptr, {}, false);
  auto now = TailClock::now();
  sub.Offer(Batch({Rec(1, kApi, "a1", {{"trace", "x"}, {"empty", ""}}), Rec(2, kWeb, "w1"), Rec(3, kApi, "a2")}),
            now);
  TailBatch b = sub.Take(100, now);
  EXPECT_EQ(Lines(b), (std::vector<std::string>{"a1", "a2"}));
  ASSERT_EQ(b.entries.size(), 2u);
  EXPECT_EQ(b.entries[0].timestamp_ns, 1);
  EXPECT_EQ(b.entries[0].stream, kApi);
  // Fields are structured metadata; empty values are absent, as in storage.
  EXPECT_EQ(b.entries[0].structured_metadata, (model::LabelSet{{"trace", "x"}}));
  EXPECT_TRUE(b.entries[0].parsed.empty());
  EXPECT_EQ(b.dropped_count, 0u);
  EXPECT_EQ(sub.matched_total(), 2u);
  EXPECT_TRUE(sub.Take(100, now).empty());
}

TEST(TailSubscriptionTest, RunsThePipeline) {
  TailSubscription sub("t1", Matchers(R"({app=~"api|web"})"),
                       CompiledPipeline(R"({app=~"api|web"} |= "level" | logfmt | level="error")"), {}, false);
  auto now = TailClock::now();
  sub.Offer(Batch({Rec(1, kApi, "level=info msg=a"), Rec(2, kWeb, "level=error msg=b"), Rec(3, kApi, "nothing")}),
            now);
  TailBatch b = sub.Take(100, now);
  ASSERT_EQ(Lines(b), (std::vector<std::string>{"level=error msg=b"}));
  EXPECT_EQ(b.entries[0].stream, kWeb);
  EXPECT_EQ(b.entries[0].parsed, (model::LabelSet{{"level", "error"}, {"msg", "b"}}));
  EXPECT_EQ(MergedLabels(b.entries[0]), (model::LabelSet{{"app", "web"}, {"level", "error"}, {"msg", "b"}}));
}

TEST(TailSubscriptionTest, TakeHonoursMaxEntriesWithoutDelay) {
  TailSubscription sub("t1", {}, nullptr, {}, false);
  auto now = TailClock::now();
  sub.Offer(Batch({Rec(1, kApi, "1"), Rec(2, kApi, "2"), Rec(3, kApi, "3")}), now);
  EXPECT_EQ(Lines(sub.Take(2, now)), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(Lines(sub.Take(2, now)), (std::vector<std::string>{"3"}));
}

TEST(TailSubscriptionTest, OverflowDropsAndReportsLabelsAndTimestamps) {
  TailOptions o;
  o.max_queued_entries = 2;
  o.max_dropped_reported = 2;
  TailSubscription sub("t1", {}, nullptr, o, false);
  auto now = TailClock::now();
  sub.Offer(Batch({Rec(1, kApi, "1"), Rec(2, kWeb, "2", {{"k", "v"}}), Rec(3, kWeb, "3", {{"k", "v"}}),
                   Rec(4, kApi, "4"), Rec(5, kApi, "5")}),
            now);
  TailBatch b = sub.Take(100, now);
  EXPECT_EQ(Lines(b), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(b.dropped_count, 3u);
  ASSERT_EQ(b.dropped.size(), 2u);  // capped; the third only counted
  EXPECT_EQ(b.dropped[0].timestamp_ns, 3);
  EXPECT_EQ(b.dropped[0].labels, (model::LabelSet{{"app", "web"}, {"k", "v"}}));
  EXPECT_EQ(b.dropped[1].timestamp_ns, 4);
  EXPECT_EQ(sub.dropped_total(), 3u);
  // Taking frees room; drops are reported once.
  sub.Offer(Batch({Rec(6, kApi, "6")}), now);
  b = sub.Take(100, now);
  EXPECT_EQ(Lines(b), (std::vector<std::string>{"6"}));
  EXPECT_EQ(b.dropped_count, 0u);
  EXPECT_TRUE(b.dropped.empty());
}

TEST(TailSubscriptionTest, BackfillComesFirstAndOverlapIsDeliveredOnce) {
  TailSubscription sub("t1", {}, nullptr, {}, true);
  auto now = TailClock::now();
  // Acknowledged after subscribing, while the history query runs (it sees row 3 too).
  sub.Offer(Batch({Rec(3, kApi, "three"), Rec(4, kApi, "four")}), now);
  EXPECT_TRUE(sub.backfilling());
  EXPECT_TRUE(sub.Take(100, now).entries.empty());  // held back until the history is in
  std::vector<LogEntry> history(3);
  history[0] = {1, "one", kApi, {}, {}};
  history[1] = {2, "two", kApi, {}, {}};
  history[2] = {3, "three", kApi, {}, {}};
  sub.CompleteBackfill(history);
  EXPECT_FALSE(sub.backfilling());
  EXPECT_EQ(Lines(sub.Take(100, now)), (std::vector<std::string>{"one", "two", "three", "four"}));
}

TEST(TailSubscriptionTest, IdenticalRowsKeepTheirMultiplicityAcrossTheBackfillBoundary) {
  TailSubscription sub("t1", {}, nullptr, {}, true);
  auto now = TailClock::now();
  sub.Offer(Batch({Rec(5, kApi, "same")}), now);  // one copy acknowledged after subscribing
  // The history holds that copy and an older identical one.
  std::vector<LogEntry> history(2, LogEntry{5, "same", kApi, {}, {}});
  sub.CompleteBackfill(history);
  EXPECT_EQ(sub.Take(100, now).entries.size(), 2u);
}

TEST(TailSubscriptionTest, FailedBackfillClosesWithItsStatus) {
  TailSubscription sub("t1", {}, nullptr, {}, true);
  int calls = 0;
  sub.SetListener([&] { ++calls; });
  sub.CompleteBackfill(base::Status(base::StatusCode::kDeadlineExceeded, "query timed out"));
  ASSERT_TRUE(sub.closed().has_value());
  EXPECT_EQ(sub.closed()->code(), base::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(sub.cancelled());
  EXPECT_EQ(calls, 1);
}

TEST(TailSubscriptionTest, ListenerIsCalledOncePerTake) {
  TailSubscription sub("t1", {}, nullptr, {}, false);
  int calls = 0;
  sub.SetListener([&] { ++calls; });
  auto now = TailClock::now();
  sub.Offer(Batch({Rec(1, kApi, "1")}), now);
  sub.Offer(Batch({Rec(2, kApi, "2")}), now);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(sub.Take(100, now).entries.size(), 2u);
  sub.Offer(Batch({Rec(3, kWeb, "3")}), now);
  EXPECT_EQ(calls, 2);
  sub.Take(100, now);
  sub.Close(base::Unavailable("bye"));
  EXPECT_EQ(calls, 3);
  // Closed: nothing more is queued.
  sub.Offer(Batch({Rec(4, kApi, "4")}), now);
  EXPECT_TRUE(sub.Take(100, now).entries.empty());
}

TEST(TailSubscriptionTest, DelaySortsLateEntriesWithinTheWindow) {
  TailOptions o;
  o.delay = milliseconds(1000);
  TailSubscription sub("t1", {}, nullptr, o, false);
  int calls = 0;
  sub.SetListener([&] { ++calls; });
  auto t0 = TailClock::now();
  sub.Offer(Batch({Rec(10, kApi, "api10")}), t0);
  sub.Offer(Batch({Rec(5, kApi, "api5"), Rec(20, kWeb, "web20"), Rec(30, kApi, "api30")}), t0 + milliseconds(500));
  EXPECT_EQ(calls, 0);  // with a delay the consumer polls
  EXPECT_EQ(sub.NextDue(), t0 + milliseconds(1000));
  EXPECT_TRUE(sub.Take(100, t0 + milliseconds(999)).entries.empty());
  // api10 is due; api5 arrived later but is older in the same stream, so it goes first, with it.
  EXPECT_EQ(Lines(sub.Take(100, t0 + milliseconds(1000))), (std::vector<std::string>{"api5", "api10"}));
  EXPECT_EQ(sub.NextDue(), t0 + milliseconds(1500));
  EXPECT_EQ(Lines(sub.Take(100, t0 + milliseconds(1500))), (std::vector<std::string>{"web20", "api30"}));
  EXPECT_FALSE(sub.NextDue().has_value());
}

TEST(TailSubscriptionTest, CancelStopsQueueing) {
  TailSubscription sub("t1", {}, nullptr, {}, false);
  sub.Cancel();
  auto now = TailClock::now();
  sub.Offer(Batch({Rec(1, kApi, "1")}), now);
  EXPECT_TRUE(sub.Take(100, now).entries.empty());
  EXPECT_EQ(sub.matched_total(), 0u);
}

}  // namespace
}  // namespace strata::query
