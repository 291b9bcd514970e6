#include "strata/storage/deletes/delete_store.h"

#include <gtest/gtest.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace strata::storage {
namespace {

namespace fs = std::filesystem;

class DeleteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "strata_deletes_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/.deletes";
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<DeleteStore> OpenStore() {
    auto s = DeleteStore::Open(dir_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  static DeleteRequest Request(const std::string& tenant, const std::string& query, int64_t from = 100,
                               int64_t to = 200) {
    DeleteRequest r;
    r.tenant = tenant;
    r.from = from;
    r.to = to;
    r.selector.text = query;
    return r;
  }

  void WriteFile(const std::string& text) {
    fs::create_directories(dir_);
    std::ofstream(dir_ + "/requests.json", std::ios::binary | std::ios::trunc) << text;
  }
  std::string ReadFile() {
    std::ifstream in(dir_ + "/requests.json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string root_;
  std::string dir_;
};

model::LabelSet Labels(std::initializer_list<std::pair<const char*, const char*>> kv) {
  model::LabelSet out;
  for (const auto& [k, v] : kv) out.push_back({k, v});
  model::CanonicalizeLabels(out);
  return out;
}

TEST(DeleteRequestTest, StatusNames) {
  EXPECT_EQ(DeleteStatusName(DeleteStatus::kPending), "pending");
  EXPECT_EQ(DeleteStatusName(DeleteStatus::kProcessed), "processed");
  EXPECT_EQ(DeleteStatusName(DeleteStatus::kCancelled), "cancelled");
}

TEST(DeleteRequestTest, MatchesAndMayMatch) {
  DeleteRequest r;
  r.from = 100;
  r.to = 200;
  r.selector = ParseStreamSelector(R"({service="api"} |= "secret")").value();
  auto api = Labels({{"service", "api"}, {"env", "prod"}});
  auto web = Labels({{"service", "web"}});
  EXPECT_TRUE(r.Matches(api, 100, "a secret"));
  EXPECT_TRUE(r.Matches(api, 200, "secret"));
  EXPECT_FALSE(r.Matches(api, 99, "secret"));
  EXPECT_FALSE(r.Matches(api, 201, "secret"));
  EXPECT_FALSE(r.Matches(api, 150, "public"));
  EXPECT_FALSE(r.Matches(web, 150, "secret"));
  r.status = DeleteStatus::kCancelled;  // Matches ignores status
  EXPECT_TRUE(r.Matches(api, 150, "secret"));

  EXPECT_TRUE(r.MayMatch(api, 0, 100));
  EXPECT_TRUE(r.MayMatch(api, 200, 300));
  EXPECT_TRUE(r.MayMatch(api, 120, 130));
  EXPECT_TRUE(r.MayMatch(api, 0, 1000));
  EXPECT_FALSE(r.MayMatch(api, 0, 99));
  EXPECT_FALSE(r.MayMatch(api, 201, 300));
  EXPECT_FALSE(r.MayMatch(web, 0, 1000));

  DeleteRequest whole;
  whole.from = 0;
  whole.to = 10;
  whole.selector = ParseStreamSelector(R"({service=~"api|web"})").value();
  EXPECT_TRUE(whole.Matches(web, 5, "anything"));
  EXPECT_TRUE(whole.Matches(api, 5, ""));
}

TEST_F(DeleteStoreTest, OpenWithoutFileIsEmptyAndCreatesNothing) {
  auto store = OpenStore();
  EXPECT_TRUE(store->List("acme").empty());
  EXPECT_TRUE(store->Active("acme")->empty());
  EXPECT_TRUE(store->Pending().empty());
  EXPECT_FALSE(fs::exists(dir_));  // created on the first write only
}

TEST_F(DeleteStoreTest, AddListCancelProcessed) {
  auto store = OpenStore();
  auto a = store->Add(Request("acme", R"({service="api"} |= "secret")", 100, 200));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->id.size(), 16u);
  EXPECT_EQ(a->id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a->status, DeleteStatus::kPending);
  EXPECT_GT(a->created_ns, 0);
  EXPECT_EQ(a->processed_ns, 0);
  EXPECT_EQ(a->tenant, "acme");
  EXPECT_EQ(a->selector.matchers.size(), 1u);
  EXPECT_TRUE(a->selector.line_filter.has_value());
  EXPECT_TRUE(fs::exists(dir_ + "/requests.json"));
  EXPECT_FALSE(fs::exists(dir_ + "/requests.json.tmp"));

  auto b = store->Add(Request("acme", R"({service="web"})", 0, 50));
  ASSERT_TRUE(b.ok());
  auto c = store->Add(Request("acme", R"({service="db"})"));
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->id, b->id);
  EXPECT_NE(b->id, c->id);

  auto list = store->List("acme");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].id, a->id);  // oldest first
  EXPECT_EQ(list[1].id, b->id);
  EXPECT_EQ(list[2].id, c->id);
  EXPECT_EQ(store->Pending().size(), 3u);
  EXPECT_EQ(store->Active("acme")->size(), 3u);

  ASSERT_TRUE(store->Cancel("acme", b->id).ok());
  ASSERT_TRUE(store->MarkProcessed(c->id, 12345).ok());
  list = store->List("acme");
  EXPECT_EQ(list[0].status, DeleteStatus::kPending);
  EXPECT_EQ(list[1].status, DeleteStatus::kCancelled);
  EXPECT_EQ(list[2].status, DeleteStatus::kProcessed);
  EXPECT_EQ(list[2].processed_ns, 12345);

  auto pending = store->Pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, a->id);
  // Active: pending and processed (processed requests keep hiding rows that were, e.g., still in the head).
  auto active = store->Active("acme");
  ASSERT_EQ(active->size(), 2u);
  EXPECT_EQ((*active)[0].id, a->id);
  EXPECT_EQ((*active)[1].id, c->id);
}

TEST_F(DeleteStoreTest, ActiveSnapshotsAreImmutableAndShared) {
  auto store = OpenStore();
  auto a = store->Add(Request("acme", R"({service="api"})"));
  ASSERT_TRUE(a.ok());
  auto before = store->Active("acme");
  EXPECT_EQ(before.get(), store->Active("acme").get());  // no rebuild without a change
  ASSERT_TRUE(store->Cancel("acme", a->id).ok());
  EXPECT_EQ(before->size(), 1u);  // a scan holding the old snapshot is unaffected
  EXPECT_TRUE(store->Active("acme")->empty());
  EXPECT_EQ(store->Active("acme").get(), store->Active("other").get());  // the shared empty snapshot
}

TEST_F(DeleteStoreTest, CancelAndMarkProcessedStateRules) {
  auto store = OpenStore();
  auto a = store->Add(Request("acme", R"({service="api"})"));
  auto b = store->Add(Request("acme", R"({service="web"})"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(store->MarkProcessed(a->id, 7).ok());

  base::Status st = store->Cancel("acme", a->id);
  EXPECT_EQ(st.code(), base::StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("processed"), std::string::npos) << st.message();
  EXPECT_TRUE(store->MarkProcessed(a->id, 99).ok());  // idempotent, keeps the first time
  EXPECT_EQ(store->List("acme")[0].processed_ns, 7);

  ASSERT_TRUE(store->Cancel("acme", b->id).ok());
  EXPECT_EQ(store->Cancel("acme", b->id).code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->MarkProcessed(b->id, 8).code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->List("acme")[1].status, DeleteStatus::kCancelled);
}

TEST_F(DeleteStoreTest, UnknownIdIsNotFound) {
  auto store = OpenStore();
  EXPECT_EQ(store->Cancel("acme", "0123456789abcdef").code(), base::StatusCode::kNotFound);
  EXPECT_EQ(store->MarkProcessed("0123456789abcdef", 1).code(), base::StatusCode::kNotFound);
  ASSERT_TRUE(store->Add(Request("acme", R"({service="api"})")).ok());
  EXPECT_EQ(store->Cancel("acme", "nope").code(), base::StatusCode::kNotFound);
}

TEST_F(DeleteStoreTest, TenantIsolation) {
  auto store = OpenStore();
  auto a = store->Add(Request("acme", R"({service="api"})"));
  auto b = store->Add(Request("globex", R"({service="api"})"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(store->List("acme").size(), 1u);
  EXPECT_EQ(store->List("acme")[0].id, a->id);
  ASSERT_EQ(store->List("globex").size(), 1u);
  EXPECT_EQ(store->List("globex")[0].id, b->id);
  EXPECT_TRUE(store->List("initech").empty());
  EXPECT_EQ(store->Active("acme")->size(), 1u);
  EXPECT_EQ((*store->Active("acme"))[0].tenant, "acme");
  // Another tenant's id is unknown to the caller; nothing changes.
  EXPECT_EQ(store->Cancel("globex", a->id).code(), base::StatusCode::kNotFound);
  EXPECT_EQ(store->List("acme")[0].status, DeleteStatus::kPending);
  EXPECT_EQ(store->Pending().size(), 2u);
}

TEST_F(DeleteStoreTest, Validation) {
  auto store = OpenStore();
  EXPECT_EQ(store->Add(Request("", R"({a="b"})")).status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Add(Request("acme", R"({a="b"})", 10, 9)).status().code(), base::StatusCode::kInvalidArgument);
  auto bad = store->Add(Request("acme", R"({a=""})"));
  EXPECT_EQ(bad.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("empty-compatible"), std::string::npos);
  EXPECT_EQ(store->Add(Request("acme", "")).status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store->Add(Request("acme", R"({a="b"})", 10, 10)).ok());  // a single instant
  EXPECT_EQ(store->List("acme").size(), 1u);
}

TEST_F(DeleteStoreTest, AddUsesTheParsedTextNotHandBuiltMatchers) {
  auto store = OpenStore();
  DeleteRequest r = Request("acme", R"({service="api"})");
  r.selector.matchers.push_back(MakeLabelMatcher("other", LabelMatcher::Op::kEq, "x").value());  // ignored
  auto a = store->Add(r);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->selector.matchers.size(), 1u);
  EXPECT_EQ(a->selector.matchers[0].name, "service");
}

TEST_F(DeleteStoreTest, PersistsAcrossReopen) {
  std::string a_id, b_id, c_id;
  {
    auto store = OpenStore();
    auto a = store->Add(Request("acme", R"({service="api", env=~"prod|stag.*"} |~ "user=\\d+")", -5, 500));
    auto b = store->Add(Request("acme", "{service=`web`} != \"keep \\\"me\\\"\"", 1, 2));
    auto c = store->Add(Request("globex", R"({host!="", service="db"})", 3, 4));
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    a_id = a->id;
    b_id = b->id;
    c_id = c->id;
    ASSERT_TRUE(store->Cancel("acme", b_id).ok());
    ASSERT_TRUE(store->MarkProcessed(c_id, 777).ok());
  }
  auto store = OpenStore();
  auto acme = store->List("acme");
  ASSERT_EQ(acme.size(), 2u);
  EXPECT_EQ(acme[0].id, a_id);
  EXPECT_EQ(acme[0].selector.text, R"({service="api", env=~"prod|stag.*"} |~ "user=\\d+")");
  EXPECT_EQ(acme[0].from, -5);
  EXPECT_EQ(acme[0].to, 500);
  EXPECT_EQ(acme[0].status, DeleteStatus::kPending);
  EXPECT_GT(acme[0].created_ns, 0);
  // The re-parsed selector works.
  auto labels = Labels({{"service", "api"}, {"env", "staging"}});
  EXPECT_TRUE(acme[0].Matches(labels, 10, "login user=42"));
  EXPECT_FALSE(acme[0].Matches(labels, 10, "login user=x"));
  EXPECT_EQ(acme[1].id, b_id);
  EXPECT_EQ(acme[1].selector.text, "{service=`web`} != \"keep \\\"me\\\"\"");
  EXPECT_EQ(acme[1].selector.line_filter->value, "keep \"me\"");
  EXPECT_EQ(acme[1].status, DeleteStatus::kCancelled);
  auto globex = store->List("globex");
  ASSERT_EQ(globex.size(), 1u);
  EXPECT_EQ(globex[0].status, DeleteStatus::kProcessed);
  EXPECT_EQ(globex[0].processed_ns, 777);
  EXPECT_EQ(store->Active("acme")->size(), 1u);
  EXPECT_EQ(store->Active("globex")->size(), 1u);
  EXPECT_EQ(store->Pending().size(), 1u);

  // New ids stay unique after a reopen.
  auto d = store->Add(Request("acme", R"({service="api"})"));
  ASSERT_TRUE(d.ok());
  EXPECT_NE(d->id, a_id);
  EXPECT_NE(d->id, b_id);
  EXPECT_NE(d->id, c_id);
}

TEST_F(DeleteStoreTest, IdsAreUniqueOverManyAdds) {
  auto store = OpenStore();
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    auto r = store->Add(Request(i % 2 ? "acme" : "globex", R"({service="api"})"));
    ASSERT_TRUE(r.ok());
    ids.insert(r->id);
  }
  EXPECT_EQ(ids.size(), 100u);
  auto reopened = OpenStore();
  EXPECT_EQ(reopened->List("acme").size() + reopened->List("globex").size(), 100u);
}

TEST_F(DeleteStoreTest, CorruptFileIsDataLoss) {
  // One stored request with `field` replaced by `value` (JSON text).
  auto item = [](const std::string& field = "", const std::string& value = "") {
    const std::pair<std::string, std::string> fields[] = {
        {"id", "\"00000000000000aa\""}, {"tenant", "\"acme\""}, {"query", "\"{a=\\\"b\\\"}\""},
        {"from", "1"}, {"to", "2"}, {"status", "\"pending\""}, {"created_ns", "5"}, {"processed_ns", "0"}};
    std::string out = "{";
    for (const auto& [k, v] : fields) {
      if (out.size() > 1) out += ",";
      out += "\"" + k + "\":" + (k == field ? value : v);
    }
    return out + "}";
  };
  auto file = [](const std::string& items) {
    return R"({"version":1,"next_seq":1,"requests":[)" + items + "]}";
  };
  const std::string valid_item = item();
  const std::string cases[] = {
      "",
      "{not json",
      R"({"version":1,"next_seq":1,"requests":[)" + valid_item,  // torn
      R"([1,2,3])",
      R"({"version":2,"next_seq":1,"requests":[]})",
      R"({"version":1,"next_seq":1})",
      file(R"({"id":"x"})"),
      file(item("query", R"("{a=\"\"}")")),  // no longer a valid selector
      file(item("status", R"("weird")")),
      file(item("from", "3")),  // from > to
      file(item("tenant", R"("")")),
      file(item("created_ns", R"("5")")),
      file(valid_item + "," + valid_item),  // duplicate id
  };
  for (const auto& text : cases) {
    WriteFile(text);
    auto s = DeleteStore::Open(dir_);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.status().code(), base::StatusCode::kDataLoss) << text;
    EXPECT_NE(s.status().message().find("requests.json"), std::string::npos) << s.status().message();
  }
  WriteFile(file(valid_item));
  auto store = OpenStore();
  ASSERT_EQ(store->List("acme").size(), 1u);
  EXPECT_EQ(store->List("acme")[0].id, "00000000000000aa");
}

TEST_F(DeleteStoreTest, LeftoverTemporaryIsIgnored) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Add(Request("acme", R"({service="api"})")).ok());
  }
  std::ofstream(dir_ + "/requests.json.tmp") << "{garbage";
  std::string before = ReadFile();
  auto store = OpenStore();
  EXPECT_EQ(store->List("acme").size(), 1u);
  EXPECT_FALSE(fs::exists(dir_ + "/requests.json.tmp"));
  EXPECT_EQ(ReadFile(), before);
}

TEST_F(DeleteStoreTest, FailedWriteChangesNothing) {
  auto store = OpenStore();
  auto a = store->Add(Request("acme", R"({service="api"})"));
  ASSERT_TRUE(a.ok());
  // Put a regular file where the directory was: every write fails (also for root, unlike a chmod).
  fs::rename(dir_, dir_ + ".saved");
  std::ofstream(dir_) << "not a directory";
  auto b = store->Add(Request("acme", R"({service="web"})"));
  EXPECT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), base::StatusCode::kInternal) << b.status().ToString();
  EXPECT_FALSE(store->Cancel("acme", a->id).ok());
  EXPECT_FALSE(store->MarkProcessed(a->id, 1).ok());
  fs::remove(dir_);
  fs::rename(dir_ + ".saved", dir_);
  ASSERT_EQ(store->List("acme").size(), 1u);
  EXPECT_EQ(store->List("acme")[0].status, DeleteStatus::kPending);
  EXPECT_EQ(store->Active("acme")->size(), 1u);
  EXPECT_EQ(store->Pending().size(), 1u);
  EXPECT_EQ(OpenStore()->List("acme").size(), 1u);
}

TEST_F(DeleteStoreTest, ConcurrentAddsAndReads) {
  auto store = OpenStore();
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      auto snap = store->Active("acme");
      for (const auto& r : *snap) EXPECT_EQ(r.tenant, "acme");
      (void)store->List("acme");
      (void)store->Pending();
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = store->Add(Request("acme", R"({service="api"})"));
        EXPECT_TRUE(r.ok());
        if (r.ok() && i % 2) {
          EXPECT_TRUE(store->Cancel("acme", r->id).ok());
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  reader.join();
  EXPECT_EQ(store->List("acme").size(), 40u);
  EXPECT_EQ(store->Active("acme")->size(), 20u);
  EXPECT_EQ(OpenStore()->List("acme").size(), 40u);
}

}  // namespace
}  // namespace strata::storage
