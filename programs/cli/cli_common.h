#pragma once
// Flag parsing and error reporting shared by the client subcommands. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "cli/http_client.h"
#include "strata/base/status.h"

namespace strata::cli {

// RFC 3339 ("2026-02-01T10:00:00Z", fractions and offsets allowed) or a Unix epoch in seconds, ms, us or ns (the
// unit inferred from the magnitude, as everywhere in Strata). InvalidArgument naming the flag otherwise.
base::Result<int64_t> ParseTimeFlag(std::string_view flag, std::string_view value);

// A Prometheus duration ("1h30m", "2d") or a Go one ("1.5h"); must be positive.
base::Result<int64_t> ParseDurationFlag(std::string_view flag, std::string_view value);

int64_t NowNanos();

// The Status for a non-2xx answer: Loki and Strata answer errors as text/plain, so the body is the message; a
// JSON body (a proxy's, or Strata's JSON error) is shown as it is.
base::Status ServerError(const HttpResponse& response);

}  // namespace strata::cli
