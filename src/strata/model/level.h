#pragma once
// Severity level normalisation: case-insensitive synonyms fold to TRACE, DEBUG, INFO, WARN, ERROR, FATAL
// ("warning" -> WARN, "err" -> ERROR, "critical"/"crit"/"panic"/"emerg"/"emergency"/"alert" -> FATAL,
// "notice"/"information"/"informational" -> INFO, "dbg" -> DEBUG). Anything else is upper-cased as given (ASCII
// only; other bytes are kept). Leading and trailing ASCII whitespace is dropped first; "" stays "". Pure,
// thread-safe.

#include <string>
#include <string_view>

namespace strata::model {

std::string NormalizeLevel(std::string_view level);

}  // namespace strata::model
