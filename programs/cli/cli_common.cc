#include "cli/cli_common.h"

#include <chrono>

#include "strata/model/time_format.h"
#include "strata/query/lang/logql_lexer.h"

namespace strata::cli {

base::Result<int64_t> ParseTimeFlag(std::string_view flag, std::string_view value) {
  auto t = model::ParseTimestamp(value);
  if (!t.ok()) {
    return base::InvalidArgument(std::string(flag) + ": \"" + std::string(value) +
                                 "\" is neither RFC3339 nor a Unix time (" + t.status().message() + ")");
  }
  return *t;
}

base::Result<int64_t> ParseDurationFlag(std::string_view flag, std::string_view value) {
  int64_t ns = 0;
  if (!query::ParseAnyDuration(value, &ns) || ns <= 0) {
    return base::InvalidArgument(std::string(flag) + ": \"" + std::string(value) +
                                 "\" is not a positive duration (like 30m, 1h or 2d)");
  }
  return ns;
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

base::Status ServerError(const HttpResponse& response) {
  std::string body = response.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) body.pop_back();
  if (body.size() > 4096) body = body.substr(0, 4096) + "...";
  std::string msg = "server answered " + std::to_string(response.status);
  if (!body.empty()) msg += ": " + body;
  return base::Status(base::StatusCode::kUnavailable, std::move(msg));
}

}  // namespace strata::cli
