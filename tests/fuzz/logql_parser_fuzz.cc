// Fuzz target: the LogQL parser must never crash, and FormatLogQL(ParseLogQL(x)) must re-parse to an equal AST.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

#include "strata/query/lang/logql_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto e = strata::query::ParseLogQL(in);
  if (!e.ok()) return 0;
  std::string printed = strata::query::FormatLogQL(*e);
  auto again = strata::query::ParseLogQL(printed);
  if (!again.ok() || !(*again == *e)) {
    std::fprintf(stderr, "round trip failed\n  in:      %.*s\n  printed: %s\n  error:   %s\n", static_cast<int>(size),
                 in.data(), printed.c_str(), again.ok() ? "(ASTs differ)" : again.status().message().c_str());
    std::abort();
  }
  return 0;
}
