#pragma once
// Text-to-value conversions (namespace `values`: the lexer has its own literal parsers of similar names) with Loki's (Go's) exact acceptance rules, used by typed label filters, `unwrap` and
// the DSL: Go strconv.ParseFloat, time.ParseDuration and go-humanize ParseBytes; plus Loki's label-key
// sanitising for parser-extracted keys. Pure, allocation-free (except AppendSanitizedKey's output), thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::query::values {

// Go strconv.ParseFloat(s, 64): optional sign, decimal or hex-float mantissa, exponent, inf/infinity/nan
// (any case). Out-of-range values are errors.
bool ParseGoFloat(std::string_view s, double* out);

// Go time.ParseDuration: [-+] then one or more <decimal number><unit>, units ns us µs μs ms s m h; "0" alone is
// allowed. Overflow of int64 nanoseconds is an error.
bool ParseGoDuration(std::string_view s, int64_t* ns);

// go-humanize ParseBytes: a number (commas allowed, fraction allowed) then an optional space and a unit, case-
// insensitive: b, k/kb, ki/kib, m/mb, mi/mib, ..., e/eb, ei/eib (SI = 1000^n, IEC = 1024^n). >= 2^64 is an error.
bool ParseHumanBytes(std::string_view s, uint64_t* bytes);

// Loki's key sanitising: every code point outside [A-Za-z0-9_] becomes one `_`; appended to `out`. When
// `at_start` and the first character is a digit, `_` is prepended.
void AppendSanitizedKey(std::string_view key, bool at_start, std::string& out);
// True when the key needs no change (fast path).
bool IsSanitizedKey(std::string_view key);

}  // namespace strata::query::values
