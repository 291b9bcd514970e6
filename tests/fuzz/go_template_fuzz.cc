// Fuzz target: GoTemplate must never crash on any template text, compile errors must be InvalidArgument, a
// constant template must render its text, and executing a compiled template on a fixed input must either succeed
// within the output cap or fail with a Status (never crash, hang or grow without bound).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "strata/query/template/go_template.h"

namespace {

std::optional<std::string_view> Label(std::string_view name) {
  if (name == "app") return std::string_view("nginx");
  if (name == "status") return std::string_view("200");
  if (name == "num") return std::string_view("42");
  if (name == "json") return std::string_view(R"({"a":1,"b":["x",{"c":null}]})");
  if (name == "empty") return std::string_view("");
  return std::nullopt;
}

[[noreturn]] void Fail(const char* what, std::string_view in, const std::string& detail) {
  std::fprintf(stderr, "%s\n  template: %.*s\n  detail: %s\n", what, static_cast<int>(in.size()), in.data(),
               detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto t = strata::query::GoTemplate::Compile(in);
  if (!t.ok()) {
    if (t.status().code() != strata::base::StatusCode::kInvalidArgument) {
      Fail("compile error is not InvalidArgument", in, t.status().ToString());
    }
    return 0;
  }
  strata::query::TemplateInput input;
  input.label = Label;
  input.line = "level=info msg=\"hello world\" duration=1.5s";
  input.timestamp_ns = 1700000000123456789;
  auto out = t->Execute(input);
  if (out.ok()) {
    if (out->size() > (size_t{1} << 20)) Fail("output over the cap", in, std::to_string(out->size()));
    if (t->IsConstant() && in.find("{{") == std::string_view::npos && *out != in) {
      Fail("constant template did not render its text", in, *out);
    }
  } else if (out.status().ok()) {
    Fail("failed execution without a status", in, "");
  }
  // Executing twice gives the same result (no state kept between executions), barring the clock: `now`, and
  // `date` given anything but a time (Sprig formats the current time then), which can straddle a second.
  if (in.find("now") == std::string_view::npos && in.find("date") == std::string_view::npos) {
    auto again = t->Execute(input);
    if (again.ok() != out.ok() || (again.ok() && *again != *out)) Fail("execution is not repeatable", in, "");
  }
  return 0;
}
