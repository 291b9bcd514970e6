#include "strata/observability/metrics.h"

#include <gtest/gtest.h>

namespace strata::observability {
namespace {

TEST(MetricsTest, ExposesCountersGaugesAndHistograms) {
  Registry reg;
  auto& lines = reg.AddCounter("logs_ingested_total", "Lines ingested.", {"tenant"});
  auto& head = reg.AddGauge("strata_head_bytes", "Head size.", {});
  auto& lat = reg.AddHistogram("strata_http_request_duration_seconds", "Latency.", {"endpoint"}, {0.1, 1});
  lines.WithLabels({"acme"}).Inc(3);
  lines.WithLabels({"a\"b"}).Inc();
  head.WithLabels({}).Set(42);
  lat.WithLabels({"/api/v1/logs"}).Observe(0.05);
  lat.WithLabels({"/api/v1/logs"}).Observe(0.5);
  lat.WithLabels({"/api/v1/logs"}).Observe(5);
  std::string text = reg.Expose();
  EXPECT_NE(text.find("# TYPE logs_ingested_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("logs_ingested_total{tenant=\"acme\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("logs_ingested_total{tenant=\"a\\\"b\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("strata_head_bytes 42\n"), std::string::npos);
  EXPECT_NE(text.find("strata_http_request_duration_seconds_bucket{endpoint=\"/api/v1/logs\",le=\"0.1\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("strata_http_request_duration_seconds_bucket{endpoint=\"/api/v1/logs\",le=\"1\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("strata_http_request_duration_seconds_bucket{endpoint=\"/api/v1/logs\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("strata_http_request_duration_seconds_count{endpoint=\"/api/v1/logs\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("strata_http_request_duration_seconds_sum{endpoint=\"/api/v1/logs\"} 5.55\n"),
            std::string::npos);
}

}  // namespace
}  // namespace strata::observability
