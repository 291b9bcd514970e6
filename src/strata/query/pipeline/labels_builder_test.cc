#include "strata/query/pipeline/labels_builder.h"

#include <gtest/gtest.h>

#include "strata/query/pipeline/test_util.h"

namespace strata::query {
namespace {

using testing::Render;

TEST(LabelsBuilder, ResetGetAndSortedAll) {
  LabelsBuilder b;
  b.Reset({{"app", "a"}, {"env", "prod"}});
  EXPECT_EQ(b.Get("app"), "a");
  EXPECT_FALSE(b.Get("nope").has_value());
  b.Set(LabelSource::kParsed, "b", "1");
  b.Set(LabelSource::kParsed, "zz", "2");
  b.Set(LabelSource::kParsed, "aa", "3");
  EXPECT_EQ(Render(b.All()), R"({aa="3", app="a", b="1", env="prod", zz="2"})");
  EXPECT_EQ(Render(b.Of(LabelSource::kStream)), R"({app="a", env="prod"})");
  EXPECT_EQ(Render(b.Of(LabelSource::kParsed)), R"({aa="3", b="1", zz="2"})");
}

TEST(LabelsBuilder, ParsedLosesToStreamAndSpillsToExtracted) {
  LabelsBuilder b;
  b.Reset({{"level", "info"}});
  b.Set(LabelSource::kParsed, "level", "error");
  EXPECT_EQ(Render(b.All()), R"({level="info", level_extracted="error"})");
  EXPECT_EQ(b.SourceOf("level_extracted"), LabelSource::kParsed);
}

TEST(LabelsBuilder, MetadataLosesToStream) {
  LabelsBuilder b;
  b.Reset({{"pod", "p1"}});
  b.AddStructuredMetadata("pod", "p2");
  EXPECT_EQ(Render(b.All()), R"({pod="p1", pod_extracted="p2"})");
  EXPECT_EQ(b.SourceOf("pod_extracted"), LabelSource::kStructuredMetadata);
}

TEST(LabelsBuilder, ParsedLosesToMetadata) {
  LabelsBuilder b;
  b.Reset({});
  b.AddStructuredMetadata("trace_id", "t1");
  b.Set(LabelSource::kParsed, "trace_id", "t2");
  EXPECT_EQ(Render(b.All()), R"({trace_id="t1", trace_id_extracted="t2"})");
}

TEST(LabelsBuilder, ExtractedSlotPrefersParsedOverMetadata) {
  // Plain name: stream > metadata > parsed; `_extracted`: parsed > metadata > stream.
  LabelsBuilder b;
  b.Reset({{"x", "stream"}});
  b.AddStructuredMetadata("x", "meta");
  b.Set(LabelSource::kParsed, "x", "parsed");
  EXPECT_EQ(Render(b.All()), R"({x="stream", x_extracted="parsed"})");
}

TEST(LabelsBuilder, RepeatedKeyWithinAStageKeepsTheFirstValue) {
  LabelsBuilder b;
  b.Reset({});
  b.BeginStage();
  b.Set(LabelSource::kParsed, "k", "first", false);
  b.Set(LabelSource::kParsed, "k", "second", false);
  EXPECT_EQ(b.Get("k"), "first");
  b.BeginStage();  // a later parser replaces it
  b.Set(LabelSource::kParsed, "k", "third", false);
  EXPECT_EQ(b.Get("k"), "third");
  b.Set(LabelSource::kParsed, "k", "forced", true);
  EXPECT_EQ(b.Get("k"), "forced");
}

TEST(LabelsBuilder, ReplaceOverridesAStreamLabel) {
  LabelsBuilder b;
  b.Reset({{"level", "info"}});
  b.Replace(LabelSource::kParsed, "level", "warn");
  EXPECT_EQ(Render(b.All()), R"({level="warn"})");
  EXPECT_EQ(b.SourceOf("level"), LabelSource::kParsed);
}

TEST(LabelsBuilder, DeleteRetainAndChanged) {
  LabelsBuilder b;
  b.Reset({{"a", "1"}, {"b", "2"}, {"c", "3"}});
  EXPECT_FALSE(b.Changed());
  b.Delete("zzz");
  EXPECT_FALSE(b.Changed());
  b.Delete("b");
  EXPECT_TRUE(b.Changed());
  EXPECT_EQ(Render(b.All()), R"({a="1", c="3"})");
  b.Set(LabelSource::kParsed, "d", "4");
  b.RetainIf([](std::string_view name, std::string_view) { return name != "a"; });
  EXPECT_EQ(Render(b.All()), R"({c="3", d="4"})");
  // Reset reuses the storage and starts clean.
  b.Reset({{"x", "y"}});
  EXPECT_FALSE(b.Changed());
  EXPECT_EQ(Render(b.All()), R"({x="y"})");
  b.AddStructuredMetadata("m", "v");
  EXPECT_TRUE(b.Changed());
}

TEST(LabelsBuilder, ResetAcceptsUnsortedInputLastDuplicateWins) {
  LabelsBuilder b;
  b.Reset({{"b", "1"}, {"a", "2"}, {"b", "3"}});
  EXPECT_EQ(Render(b.All()), R"({a="2", b="3"})");
}

TEST(LabelsBuilder, SetErrorAndDetails) {
  LabelsBuilder b;
  b.Reset({});
  EXPECT_FALSE(b.HasError());
  b.SetError("JSONParserErr", "bad");
  EXPECT_TRUE(b.HasError());
  EXPECT_EQ(Render(b.All()), R"({__error__="JSONParserErr", __error_details__="bad"})");
  b.SetError("LabelFilterErr");
  EXPECT_EQ(b.Get("__error__"), "LabelFilterErr");
}

TEST(LabelsBuilder, ManyEntriesStayConsistentAcrossResets) {
  LabelsBuilder b;
  for (int round = 0; round < 50; ++round) {
    b.Reset({{"s", std::to_string(round)}});
    for (int i = 0; i < 40; ++i) b.Set(LabelSource::kParsed, "k" + std::to_string((i * 7) % 40), std::to_string(i));
    ASSERT_EQ(b.entries().size(), 41u);
    for (size_t i = 1; i < b.entries().size(); ++i) ASSERT_LT(b.entries()[i - 1].name, b.entries()[i].name);
    ASSERT_EQ(b.Get("s"), std::to_string(round));
  }
}

}  // namespace
}  // namespace strata::query
