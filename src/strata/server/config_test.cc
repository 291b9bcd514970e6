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
