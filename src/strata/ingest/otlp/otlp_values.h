#pragma once
// Text forms of OTLP values and the byte encodings OTLP uses (hex ids, base64 bytes). See otlp_decoder.h for where
// each is used. Pure, thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "opentelemetry/proto/common/v1/common.pb.h"

namespace strata::ingest::otlp {

// A value as stored text: strings as is, booleans true/false, ints decimal, doubles by FormatDouble, bytes base64,
// arrays/kvlists as minified JSON (AppendAnyValueJson), the empty value as "".
std::string AnyValueText(const opentelemetry::proto::common::v1::AnyValue& value);

// A value as JSON: strings quoted (invalid UTF-8 replaced by U+FFFD), ints as numbers, non-finite doubles as the
// strings "NaN"/"Infinity"/"-Infinity", bytes as a base64 string, arrays as arrays, kvlists as objects (duplicate
// keys kept in order), the empty value as null.
void AppendAnyValueJson(std::string& out, const opentelemetry::proto::common::v1::AnyValue& value);

// Shortest text that reads back to the same double ("0.1", "1e+100", "3"); "NaN", "Infinity", "-Infinity".
std::string FormatDouble(double d);

std::string HexEncode(std::string_view bytes);                    // lower-case
std::optional<std::string> HexDecode(std::string_view hex);       // either case; nullopt when malformed
std::string Base64Encode(std::string_view bytes);                 // standard alphabet, padded
std::optional<std::string> Base64Decode(std::string_view text);   // standard or URL-safe, padding optional

// s with every invalid UTF-8 sequence replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);

}  // namespace strata::ingest::otlp
