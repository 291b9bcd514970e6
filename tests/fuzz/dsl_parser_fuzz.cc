// Fuzz target: the DSL parser must never crash, and FormatDsl(ParseDsl(x)) must re-parse to an equal AST.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

#include "strata/query/lang/dsl_parser.h"
#include "strata/query/lang/logql_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto q = strata::query::ParseDsl(in);
  if (!q.ok()) return 0;
  (void)strata::query::FormatLogQL(q->expr);
  std::string printed = strata::query::FormatDsl(*q);
  auto again = strata::query::ParseDsl(printed);
  if (!again.ok() || !(*again == *q)) {
    std::fprintf(stderr, "round trip failed\n  in:      %.*s\n  printed: %s\n  error:   %s\n", static_cast<int>(size),
                 in.data(), printed.c_str(), again.ok() ? "(ASTs differ)" : again.status().message().c_str());
    std::abort();
  }
  return 0;
}
