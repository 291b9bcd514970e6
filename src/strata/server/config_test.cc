#include "strata/server/config.h"

#include <gtest/gtest.h>

#include <fstream>

namespace strata::server {
namespace {

TEST(ConfigTest, DefaultsMatchTheDocumentation) {
  Config c;
  EXPECT_EQ(c.http_listen, "127.0.0.1:3100");
  EXPECT_EQ(c.grpc_listen, "127.0.0.1:4317");
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_EQ(c.wal_fsync, storage::wal::FsyncPolicy::kBatch);
  EXPECT_EQ(c.max_line_bytes, 256u * 1024);
}

TEST(ConfigTest, FlagsOverrideEnvironmentWhichOverridesTheFile) {
  Config c;
  ASSERT_TRUE(ApplyYaml(c, "data_dir: /from/file\nhttp_listen: 0.0.0.0:9000\nwal:\n  fsync: none\n"
                           "limits:\n  max_line_bytes: 1KiB\nlabels: [app, env]\n")
                  .ok());
  EXPECT_EQ(c.data_dir, "/from/file");
  EXPECT_EQ(c.wal_fsync, storage::wal::FsyncPolicy::kNone);
  EXPECT_EQ(c.max_line_bytes, 1024u);
  EXPECT_EQ(c.labels, (std::vector<std::string>{"app", "env"}));
  ASSERT_TRUE(ApplyEnvironment(c, {{"STRATA_DATA_DIR", "/from/env"}, {"STRATA_WAL_FSYNC", "interval"},
                                   {"UNRELATED", "x"}})
                  .ok());
  EXPECT_EQ(c.data_dir, "/from/env");
  EXPECT_EQ(c.http_listen, "0.0.0.0:9000");
  EXPECT_EQ(c.wal_fsync, storage::wal::FsyncPolicy::kInterval);
  ASSERT_TRUE(ApplyFlags(c, {{"data_dir", "/from/flag"}}).ok());
  EXPECT_EQ(c.data_dir, "/from/flag");
  EXPECT_EQ(c.wal_fsync, storage::wal::FsyncPolicy::kInterval);
}

TEST(ConfigTest, ErrorsNameTheKeyAndLine) {
  Config c;
  auto st = ApplyYaml(c, "data_dir: x\nbogus_key: 1\n");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("bogus_key"), std::string::npos);
  EXPECT_NE(st.message().find("line 2"), std::string::npos);
  st = ApplyYaml(c, "wal:\n  fsync: sometimes\n");
  EXPECT_NE(st.message().find("wal.fsync"), std::string::npos);
  st = ApplyYaml(c, "http_listen: nonsense\n");
  EXPECT_NE(st.message().find("HOST:PORT"), std::string::npos);
  st = ApplyYaml(c, "data_dir: [unterminated\n");
  EXPECT_NE(st.message().find("invalid YAML"), std::string::npos);
  st = ApplyEnvironment(c, {{"STRATA_LIMITS_MAX_LINE_BYTES", "lots"}});
  EXPECT_NE(st.message().find("STRATA_LIMITS_MAX_LINE_BYTES"), std::string::npos);
  EXPECT_FALSE(ApplyFlags(c, {{"log_level", "chatty"}}).ok());
  EXPECT_FALSE(ApplyYamlFile(c, "/nonexistent/strata.yaml").ok());
}

TEST(ConfigTest, ParsesSizes) {
  EXPECT_EQ(ParseSize("1048576").value(), 1048576u);
  EXPECT_EQ(ParseSize("64MiB").value(), 64u << 20);
  EXPECT_EQ(ParseSize("2 GiB").value(), 2ull << 30);
  EXPECT_EQ(ParseSize("1KB").value(), 1000u);
  EXPECT_FALSE(ParseSize("").ok());
  EXPECT_FALSE(ParseSize("12XB").ok());
  EXPECT_FALSE(ParseSize("-5").ok());
}

TEST(ConfigTest, EveryKeyHasAnEnvVarAndAFlagAndRoundTripsThroughYaml) {
  for (const auto& k : ConfigKeys()) {
    EXPECT_EQ(k.env.rfind("STRATA_", 0), 0u) << k.key;
    EXPECT_EQ(k.flag.rfind("--", 0), 0u) << k.key;
  }
  Config c;
  ASSERT_TRUE(ApplyFlags(c, {{"data_dir", "/d"}, {"wal.fsync", "none"}, {"labels", "a, b"}}).ok());
  Config back;
  ASSERT_TRUE(ApplyYaml(back, c.ToYaml()).ok()) << c.ToYaml();
  EXPECT_EQ(back.ToYaml(), c.ToYaml());
  EXPECT_EQ(back.labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(back.wal_fsync, storage::wal::FsyncPolicy::kNone);
}

}  // namespace
}  // namespace strata::server

// --- Retention and maintenance settings ---

namespace strata::server {
namespace {

constexpr int64_t kDayNs = storage::RetentionPolicy::kDay;

TEST(ConfigRetentionTest, Defaults) {
  Config c;
  EXPECT_EQ(c.retention_default_ns, 7 * kDayNs);
  EXPECT_TRUE(c.retention_tenants.empty());
  EXPECT_TRUE(c.retention_streams.empty());
  EXPECT_EQ(c.maintenance_interval_ms, 2000);
}

TEST(ConfigRetentionTest, ReadsYamlMapsAndLists) {
  Config c;
  auto st = ApplyYaml(c,
                      "retention:\n"
                      "  default: 14d\n"
                      "  tenants:\n"
                      "    acme: 30d\n"
                      "    globex: 1d12h\n"
                      "  streams:\n"
                      "    - selector: '{level=\"DEBUG\"}'\n"
                      "      period: 1d\n"
                      "    - {selector: '{service=~\"web|cdn\", env!=\"prod\"}', period: 6h, tenant: acme}\n"
                      "maintenance_interval_ms: 500\n");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(c.retention_default_ns, 14 * kDayNs);
  EXPECT_EQ(c.retention_tenants, (std::map<std::string, int64_t>{{"acme", 30 * kDayNs}, {"globex", kDayNs * 3 / 2}}));
  ASSERT_EQ(c.retention_streams.size(), 2u);
  EXPECT_EQ(c.retention_streams[0].selector.text, "{level=\"DEBUG\"}");
  EXPECT_EQ(c.retention_streams[0].period_ns, kDayNs);
  EXPECT_EQ(c.retention_streams[0].tenant, "");
  EXPECT_EQ(c.retention_streams[1].period_ns, kDayNs / 4);
  EXPECT_EQ(c.retention_streams[1].tenant, "acme");
  EXPECT_EQ(c.maintenance_interval_ms, 500);
  // The rules work as a policy.
  storage::RetentionPolicy p(c.retention_default_ns, c.retention_tenants, c.retention_streams);
  EXPECT_EQ(p.StreamPeriod("acme", {{"env", "dev"}, {"service", "cdn"}}), kDayNs / 4);
  EXPECT_EQ(p.StreamPeriod("globex", {{"env", "dev"}, {"service", "cdn"}}), kDayNs * 3 / 2);
  EXPECT_EQ(p.StreamPeriod("initech", {{"level", "DEBUG"}}), kDayNs);
  EXPECT_EQ(p.TenantPeriod("initech"), 14 * kDayNs);
}

TEST(ConfigRetentionTest, ReadsTheTextFormFromEnvironmentAndFlags) {
  Config c;
  ASSERT_TRUE(ApplyEnvironment(c, {{"STRATA_RETENTION_DEFAULT", "30d"},
                                   {"STRATA_RETENTION_TENANTS", "acme=30d, globex=90d"},
                                   {"STRATA_RETENTION_STREAMS", R"({level="DEBUG"}=1d; acme:{path=~"a;b|c=d"}=12h)"},
                                   {"STRATA_MAINTENANCE_INTERVAL_MS", "750"}})
                  .ok());
  EXPECT_EQ(c.retention_default_ns, 30 * kDayNs);
  EXPECT_EQ(c.retention_tenants, (std::map<std::string, int64_t>{{"acme", 30 * kDayNs}, {"globex", 90 * kDayNs}}));
  ASSERT_EQ(c.retention_streams.size(), 2u);
  EXPECT_EQ(c.retention_streams[1].tenant, "acme");
  EXPECT_EQ(c.retention_streams[1].selector.text, R"({path=~"a;b|c=d"})");  // ';' and '=' inside quotes
  EXPECT_EQ(c.retention_streams[1].period_ns, kDayNs / 2);
  EXPECT_EQ(c.maintenance_interval_ms, 750);
  // Flags win and replace the whole list or map.
  ASSERT_TRUE(ApplyFlags(c, {{"retention.tenants", "initech=2d"}, {"retention.streams", ""}}).ok());
  EXPECT_EQ(c.retention_tenants, (std::map<std::string, int64_t>{{"initech", 2 * kDayNs}}));
  EXPECT_TRUE(c.retention_streams.empty());
  bool found = false;
  for (const auto& k : ConfigKeys()) {
    if (k.key == "retention.streams") {
      found = true;
      EXPECT_EQ(k.env, "STRATA_RETENTION_STREAMS");
      EXPECT_EQ(k.flag, "--retention-streams");
    }
  }
  EXPECT_TRUE(found);
}

TEST(ConfigRetentionTest, RejectsBadValuesNamingKeyAndText) {
  struct Case {
    std::string yaml;
    std::string expect;  // in the message
  };
  const Case cases[] = {
      {"retention:\n  default: 0d\n", "1-365 days"},
      {"retention:\n  default: 366d\n", "1-365 days"},
      {"retention:\n  default: 12h\n", "retention.default"},
      {"retention:\n  default: 7 days\n", "\"7 days\""},
      {"retention:\n  tenants:\n    acme: forever\n", "retention.tenants.acme"},
      {"retention:\n  tenants:\n    acme: 400d\n", "line 3"},
      {"retention:\n  streams:\n    - selector: '{level=\"DEBUG\"'\n      period: 1d\n", "selector"},
      {"retention:\n  streams:\n    - selector: '{level=\"DEBUG\"} |= \"x\"'\n      period: 1d\n", "line 3"},
      {"retention:\n  streams:\n    - selector: '{level=\"DEBUG\"}'\n      period: 0s\n", "positive"},
      {"retention:\n  streams:\n    - selector: '{level=\"DEBUG\"}'\n", "selector and a period"},
      {"retention:\n  streams:\n    - selector: '{a=\"b\"}'\n      period: 1d\n      keep: yes\n", "keep"},
      {"maintenance_interval_ms: 0\n", "maintenance_interval_ms"},
  };
  for (const auto& tc : cases) {
    Config c;
    auto st = ApplyYaml(c, tc.yaml);
    ASSERT_FALSE(st.ok()) << tc.yaml;
    EXPECT_EQ(st.code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find(tc.expect), std::string::npos) << tc.yaml << " -> " << st.message();
  }
  Config c;
  EXPECT_NE(ApplyEnvironment(c, {{"STRATA_RETENTION_TENANTS", "acme"}}).message().find("TENANT=PERIOD"),
            std::string::npos);
  EXPECT_NE(ApplyEnvironment(c, {{"STRATA_RETENTION_STREAMS", "{level=\"DEBUG\"}"}}).message().find("retention.streams"),
            std::string::npos);
  EXPECT_FALSE(ApplyFlags(c, {{"retention.streams", "level=DEBUG=1d"}}).ok());
  EXPECT_FALSE(ApplyFlags(c, {{"retention.streams", "acme {a=\"b\"}=1d"}}).ok());
  EXPECT_FALSE(ApplyFlags(c, {{"retention.default", "1y"}}).ok());
}

TEST(ConfigRetentionTest, RoundTripsThroughYaml) {
  Config c;
  ASSERT_TRUE(ApplyFlags(c, {{"retention.default", "36h"},
                             {"retention.tenants", "acme=30d,globex=90d"},
                             {"retention.streams", R"({level="DEBUG"}=1d;acme:{msg=~"it's \"x\""}=90m)"},
                             {"maintenance_interval_ms", "100"}})
                  .ok());
  Config back;
  ASSERT_TRUE(ApplyYaml(back, c.ToYaml()).ok()) << c.ToYaml();
  EXPECT_EQ(back.ToYaml(), c.ToYaml());
  EXPECT_EQ(back.retention_default_ns, kDayNs * 3 / 2);
  EXPECT_EQ(back.retention_tenants, c.retention_tenants);
  ASSERT_EQ(back.retention_streams.size(), 2u);
  EXPECT_EQ(back.retention_streams[1].selector.text, c.retention_streams[1].selector.text);
  EXPECT_EQ(back.retention_streams[1].tenant, "acme");
  EXPECT_EQ(back.maintenance_interval_ms, 100);
}

}  // namespace
}  // namespace strata::server
