// libFuzzer target: the msgpack decoder and the stream Scanner on arbitrary bytes. Asserts: Decode never reads past
// its input; Decode and Scanner agree on where a value ends; the Scanner gives the same answer whether the bytes
// arrive at once or in two pieces (it is resumable); DecodeExact accepts exactly what Decode consumed whole.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "strata/common/msgpack.h"

namespace {

namespace mp = strata::common::msgpack;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  mp::Limits limits;
  limits.max_depth = 16;
  limits.max_elements = 4096;

  size_t consumed = 0;
  auto v = mp::Decode(in, &consumed, limits);
  if (v.ok()) Check(consumed >= 1 && consumed <= in.size(), "consumed out of range");

  mp::Scanner whole(limits.max_depth);
  auto state = whole.Scan(in);
  if (v.ok()) {
    Check(state == mp::Scanner::State::kComplete, "Decode succeeded where the Scanner did not");
    Check(whole.end() == consumed, "Decode and Scanner disagree on the end");
    auto exact = mp::DecodeExact(in.substr(0, consumed), limits);
    Check(exact.ok(), "DecodeExact refused what Decode consumed");
  }
  if (state == mp::Scanner::State::kComplete) {
    Check(whole.end() >= 1 && whole.end() <= in.size(), "scanner end out of range");
    mp::Limits roomy;
    roomy.max_depth = 16;
    roomy.max_elements = in.size() + 1;
    size_t c2 = 0;
    auto again = mp::Decode(in, &c2, roomy);
    Check(again.ok() && c2 == whole.end(), "a complete scan did not decode to the same end");
  }

  // Resumability: the first half, then everything.
  mp::Scanner split(limits.max_depth);
  auto first = split.Scan(in.substr(0, in.size() / 2));
  auto second = first == mp::Scanner::State::kIncomplete ? split.Scan(in) : first;
  if (first != mp::Scanner::State::kComplete) {
    Check(second == state, "resumed scan differs from a whole scan");
    if (state == mp::Scanner::State::kComplete) Check(split.end() == whole.end(), "resumed scan ends elsewhere");
  }
  return 0;
}
