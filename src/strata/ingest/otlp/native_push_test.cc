#include "strata/ingest/otlp/native_push.h"

#include <gtest/gtest.h>

namespace strata::ingest::otlp {
namespace {

const model::LabelPolicy kPolicy;  // service, env, host, instance, level

MapOptions Options() {
  MapOptions o;
  o.labels = &kPolicy;
  o.receive_time_ns = 7;
  return o;
}

TEST(NativePushTest, EntriesMapLikeTheJsonApi) {
  strata::v1::PushRequest req;
  auto* e = req.add_entries();
  e->set_timestamp("2026-01-02T03:04:05.123456789Z");
  e->set_level("warning");
  e->set_service("api");
  e->set_instance("api-1");
  e->set_message("db timeout");
  e->set_trace_id("abc123");
  (*e->mutable_metadata())["region"] = "eu";
  (*e->mutable_metadata())["az"] = "b";
  (*e->mutable_attributes())["env"] = "prod";
  (*e->mutable_attributes())["user_id"] = "42";
  auto* f = req.add_entries();
  f->set_timestamp_unix_nano(1767323045000000000);
  f->set_message("second");
  req.add_entries()->set_message("no time");

  auto r = MapPushRequest(req, Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 3u);
  const auto& a = r->records[0];
  EXPECT_EQ(a.timestamp_ns, 1767323045123456789);
  EXPECT_EQ(a.labels, (model::LabelSet{{"env", "prod"}, {"instance", "api-1"}, {"level", "WARN"}, {"service", "api"}}));
  EXPECT_EQ(a.message, "db timeout");
  EXPECT_EQ(a.fields, (std::vector<model::Field>{
                          {"traceId", "abc123"}, {"metadata.az", "b"}, {"metadata.region", "eu"}, {"user_id", "42"}}));
  EXPECT_EQ(r->records[1].timestamp_ns, 1767323045000000000);
  EXPECT_TRUE(r->records[1].labels.empty());
  EXPECT_EQ(r->records[2].timestamp_ns, 7);
}

TEST(NativePushTest, RejectionsUseTheNativeReasonsAndTheIndexBase) {
  strata::v1::PushRequest req;
  req.add_entries()->set_timestamp("yesterday");
  req.add_entries()->set_message(std::string(100, 'x'));
  req.add_entries()->set_message("fine");
  MapOptions o = Options();
  o.max_line_bytes = 50;
  auto r = MapPushRequest(req, o, 10);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  ASSERT_EQ(r->rejected.size(), 2u);
  EXPECT_EQ(r->rejected[0], (Rejection{10, "timestamp: not ISO-8601 or epoch"}));
  EXPECT_EQ(r->rejected[1], (Rejection{11, "line too long: 100 bytes > limit 50"}));
}

}  // namespace
}  // namespace strata::ingest::otlp
