#pragma once
// Parsing and printing of timestamps as users send them: RFC 3339 / ISO-8601 strings and Unix epochs in
// seconds, milliseconds, microseconds or nanoseconds (the unit inferred from the magnitude).

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/base/status.h"

namespace strata::model {

// Every failure is InvalidArgument. The message starts with "not ISO-8601 or epoch": alone for a syntax error,
// followed by ": <what> out of range" for a well-formed but impossible value (month 13, 2023-02-29, hour 24, an
// instant outside int64 nanoseconds, i.e. before 1677-09-21 or after 2262-04-11).

// "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123456789+02:00", "2024-05-01 12:00:00" (UTC assumed),
// "2024-05-01" (midnight UTC). Returns ns since the epoch.
// Grammar: YYYY-MM-DD [ (T|t|' ') hh:mm [:ss [(.|,) 1-9 digits]] [ Z | z | ±hh:mm | ±hhmm | ±hh ] ]. Seconds may be
// 60 (a leap second rolls into the next minute, as timegm does). No time zone database: pure arithmetic.
base::Result<int64_t> ParseIso8601(std::string_view text);

// An epoch number: < 1e11 seconds, < 1e14 ms, < 1e17 us, else ns (by magnitude, so negative epochs work too).
// Fractions allowed for seconds and ms; for us and ns the value is rounded to the nearest nanosecond.
base::Result<int64_t> EpochToNanos(double value);
base::Result<int64_t> EpochIntegerToNanos(int64_t value);

// Either of the above, from a string: -?digits(.digits)? is an epoch, anything else ISO-8601. The epoch form is
// parsed from the decimal text (not via double), so "1714564800.123456789" is exact; fraction digits finer than
// 1 ns are truncated.
base::Result<int64_t> ParseTimestamp(std::string_view text);

// RFC 3339 in UTC with nanoseconds: 2024-05-01T12:00:00.123456789Z. Always 9 fraction digits and Z; instants
// before 1970 print a non-negative fraction (-1 ns is 1969-12-31T23:59:59.999999999Z). Defined for every int64.
std::string FormatRfc3339Nanos(int64_t ns);

}  // namespace strata::model

namespace strata::model {

// UTC calendar day of a timestamp as yyyymmdd (the partition key), and the first nanosecond of such a day.
uint32_t UtcDayOf(int64_t ns);
int64_t UtcDayStartNanos(uint32_t day);

}  // namespace strata::model
