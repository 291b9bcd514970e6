#pragma once
// Bounded decompression of request bodies (Content-Encoding: gzip, deflate, zstd, snappy).
//
// Every decoder stops as soon as the output would exceed max_output bytes, so a decompression bomb costs at most
// max_output bytes of memory: PayloadTooLarge. Corrupt input is InvalidArgument; an unknown encoding is
// UnsupportedMedia. Pure, thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "strata/base/status.h"

namespace strata::common {

// encoding is the Content-Encoding header value: "", "identity", "gzip", "x-gzip", "deflate", "zstd", "snappy"
// (snappy is the block format, as Loki and Prometheus remote-write use it). Case-insensitive.
base::Result<std::string> DecompressBody(std::string_view encoding, std::string_view input, size_t max_output);

// Compression counterparts, used by tests and clients (level: codec default when 0).
std::string GzipCompress(std::string_view input);
std::string DeflateCompress(std::string_view input);  // zlib-wrapped, as HTTP "deflate" specifies
std::string ZstdCompress(std::string_view input, int level = 0);
std::string SnappyCompress(std::string_view input);

}  // namespace strata::common
