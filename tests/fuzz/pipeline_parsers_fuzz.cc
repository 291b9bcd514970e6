// Fuzz target: the per-line LogQL pipeline (json, unpack, logfmt, regexp, pattern parsers, line and label filters)
// must never crash on an arbitrary line; afterwards the labels stay sorted and unique, and a kept line satisfies
// every predicate the pipeline pushes down to storage (pushdown must never lose a row).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "strata/query/lang/logql_parser.h"
#include "strata/query/pipeline/labels_builder.h"
#include "strata/query/pipeline/pipeline.h"

namespace {

using strata::query::Pipeline;

std::vector<Pipeline> Compile() {
  const char* queries[] = {
      R"x({a="b"} | json)x",
      R"x({a="b"} | json x="a.b[0]", y="l[1][\"k\"]", z="z")x",
      R"x({a="b"} | unpack | json)x",
      R"x({a="b"} | logfmt)x",
      R"x({a="b"} | logfmt --strict --keep-empty)x",
      R"x({a="b"} | logfmt a, b="c")x",
      R"x({a="b"} | regexp "(?P<k>\\w+)=(?P<v>[^ ]*)")x",
      R"x({a="b"} | pattern `<ip> <_> [<ts>] "<req>" <status>`)x",
      R"x({a="b"} | pattern `<_> msg=<m>`)x",
      R"x({a="b"} |= "err" != "x" or "y" |~ "a.b" !~ "(?i)c")x",
      R"x({a="b"} |= ip("10.0.0.0/8") or ip("::1") != ip("2001:db8::/32"))x",
      R"x({a="b"} |> "<_> x <_>" !> "a<_>")x",
      R"x({a="b"} | decolorize | json | keep a, b="1" | drop c)x",
      R"x({a="b"} | logfmt | status > 5 or latency > 1s and size > 1KB | addr = ip("1.2.3.0/24") | __error__="")x",
  };
  std::vector<Pipeline> out;
  for (const char* q : queries) {
    auto e = strata::query::ParseLogQL(q);
    if (!e.ok()) {
      std::fprintf(stderr, "bad fuzz query %s: %s\n", q, e.status().message().c_str());
      std::abort();
    }
    auto p = Pipeline::Compile(std::get<strata::query::LogExpr>(e->node).stages);
    if (!p.ok()) {
      std::fprintf(stderr, "cannot compile %s: %s\n", q, p.status().message().c_str());
      std::abort();
    }
    out.push_back(std::move(p).value());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Pipeline> pipelines = Compile();
  static strata::query::LabelsBuilder labels;
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (const Pipeline& p : pipelines) {
    labels.Reset({{"a", "b"}, {"level", "info"}});
    labels.AddStructuredMetadata("trace_id", "t");
    std::string line = input;
    bool kept = p.Process(0, line, labels);
    const auto& entries = labels.entries();
    for (size_t i = 1; i < entries.size(); ++i) {
      if (!(entries[i - 1].name < entries[i].name)) {
        std::fprintf(stderr, "labels not sorted/unique: %s, %s\n", entries[i - 1].name.c_str(),
                     entries[i].name.c_str());
        std::abort();
      }
    }
    if (kept) {
      for (const auto& pred : p.pushdown()) {
        if (!pred.Matches(input)) {
          std::fprintf(stderr, "pushed predicate %s would drop a kept line\n", pred.value.c_str());
          std::abort();
        }
      }
    }
  }
  return 0;
}
