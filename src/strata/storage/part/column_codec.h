#pragma once
// Typed column encodings of one block's column, chosen per block from the values (docs/format/part.md).
//
// EncodeColumn looks at the values and picks the smallest exact encoding (between the first numeric type that fits
// and dict; raw only when neither fits):
//   kConst       every value equal: stored once
//   kDict        <= 255 distinct values: the dictionary, then one u8 index per row
//   kUint        every value a canonical unsigned decimal (no sign, no leading zeros, fits u64)
//   kInt         canonical signed decimal ("-12"), fits i64
//   kFloat       a decimal that round-trips exactly through double and std::to_chars' shortest form, or a plain
//                decimal without exponent or trailing fraction zeros ("0.0001", "-12.5"; <= 18 fraction digits,
//                mantissa < 2^63), kept as an exact scaled integer
//   kIpv4        canonical dotted quad ("10.0.0.1", no leading zeros)
//   kTimestamp   RFC 3339 UTC ("2026-01-02T03:04:05Z" / with 3, 6 or 9 fraction digits), one precision per block,
//                within int64 nanoseconds (1677-09-21 .. 2262-04-11)
//   kRaw         anything else: lengths then bytes
// "Canonical" matters: decoding must give back exactly the input bytes, so a value that would not print back
// identically (e.g. "007", "1.50", "+3") keeps the next more general encoding. Empty strings are values like any
// other (they mean "field absent in this row"); the numeric encodings (kUint..kTimestamp) accept them too, in a
// bitmap beside the values, so a sparse numeric field keeps its type.
// The encoded bytes are *not* compressed here; the part writer compresses each column with zstd.
// Pure functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/storage/part/string_column.h"

namespace strata::storage {

enum class ColumnType : uint8_t {
  kConst = 0,
  kDict = 1,
  kUint = 2,
  kInt = 3,
  kFloat = 4,
  kIpv4 = 5,
  kTimestamp = 6,
  kRaw = 7,
};
std::string_view ColumnTypeName(ColumnType type);

// Min/max of a column, for pruning blocks by range predicates. Numeric for kUint/kInt/kFloat/kIpv4/kTimestamp
// (as double; for kIpv4 the address as a number, for kTimestamp ns), lexicographic strings (truncated to 64 bytes,
// max rounded up so it stays an upper bound; kept whole if its first 64 bytes are all 0xff) for the others.
// Numeric bounds are rounded outward when a value has no exact double (u64/i64/ns beyond 2^53, decimals such as
// 0.1), and cover the non-empty values only (a numeric column may also hold empty rows); a numeric column whose
// values are all empty has min +inf and max -inf.
struct ColumnStats {
  bool numeric = false;
  double min_num = 0, max_num = 0;
  std::string min_str, max_str;
};

struct EncodedColumn {
  ColumnType type = ColumnType::kRaw;
  std::string data;  // uncompressed encoded bytes
  ColumnStats stats;
};

EncodedColumn EncodeColumn(const StringColumn& values);

// Forces a specific encoding (tests and benchmarks); fails if the values cannot be encoded exactly that way.
base::Result<EncodedColumn> EncodeColumnAs(const StringColumn& values, ColumnType type);

// Appends rows values to *out. DataLoss when data is malformed for the type or holds a different row count; on
// error *out is left unchanged.
base::Status DecodeColumn(ColumnType type, std::string_view data, size_t rows, StringColumn* out);

// DecodeColumn for the rows a scan still selects: appends `rows` values, the value of row i when i is in
// wanted_rows (any order; duplicates allowed) and "" for every other row, whose value is never materialised (no
// number formatted, no bytes copied). Validation is DecodeColumn's: the same data fails or succeeds either way.
// InvalidArgument when a wanted row is >= rows.
base::Status DecodeColumnRows(ColumnType type, std::string_view data, size_t rows,
                              const std::vector<uint32_t>& wanted_rows, StringColumn* out);

// The values of a kUint, kInt or kFloat column as numbers, without formatting them: appends `rows` doubles, each
// exactly what std::from_chars reads from the value's text (correctly rounded), NaN for an empty row (no stored
// value is NaN; binary floats may be +-inf, printed "inf"/"-inf"). Sets *exact = false and appends nothing for
// any other type, or a decimal float whose mantissa is not an exact double (callers then use DecodeColumn).
// DataLoss as DecodeColumn.
base::Status DecodeColumnNumbers(ColumnType type, std::string_view data, size_t rows, std::vector<double>* out,
                                 bool* exact);

// Timestamps of a block (sorted ascending in practice, but any order round-trips): delta-of-delta, zigzag varints.
void EncodeTimestamps(const std::vector<int64_t>& ts, std::string* out);
// DecodeTimestamps appends rows values to *out; DataLoss (and *out unchanged) unless data holds exactly rows values.
base::Status DecodeTimestamps(std::string_view data, size_t rows, std::vector<int64_t>* out);

}  // namespace strata::storage
