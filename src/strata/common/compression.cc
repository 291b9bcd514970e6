#include "strata/common/compression.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>

namespace strata::common {
namespace {

using base::Result;
using base::Status;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  // Trim whitespace: header values may carry it.
  auto b = out.find_first_not_of(" \t");
  auto e = out.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : out.substr(b, e - b + 1);
}

Status TooLarge(size_t max_output) {
  return base::PayloadTooLarge("decompressed body exceeds the limit of " + std::to_string(max_output) + " bytes");
}

// window_bits: 15+32 auto-detects a zlib or gzip header; -15 is raw deflate.
Result<std::string> Inflate(std::string_view input, size_t max_output, int window_bits, const char* name) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return base::Internal("inflateInit2 failed");
  std::string out;
  out.resize(std::min<size_t>(std::max<size_t>(input.size() * 4, 4096), max_output + 1));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  size_t produced = 0;
  int rc = Z_OK;
  while (true) {
    if (produced == out.size()) {
      if (out.size() > max_output) break;
      out.resize(std::min(out.size() * 2, max_output + 1));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out.size() - produced);
    rc = inflate(&zs, Z_NO_FLUSH);
    produced = out.size() - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // gzip allows concatenated members; continue if input remains.
      if (zs.avail_in > 0 && window_bits == 15 + 32) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // truncated input
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
  }
  inflateEnd(&zs);
  if (produced > max_output) return TooLarge(max_output);
  if (rc != Z_STREAM_END) {
    return base::InvalidArgument(std::string("invalid ") + name + " body: " +
                                 (rc == Z_BUF_ERROR ? "truncated stream" : (zs.msg ? zs.msg : "corrupt stream")));
  }
  out.resize(produced);
  return out;
}

Result<std::string> Zstd(std::string_view input, size_t max_output) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (!dctx) return base::Internal("ZSTD_createDCtx failed");
  std::string out;
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t last = 1;
  char buf[64 * 1024];
  while (in.pos < in.size) {
    ZSTD_outBuffer ob{buf, sizeof(buf), 0};
    last = ZSTD_decompressStream(dctx, &ob, &in);
    if (ZSTD_isError(last)) {
      ZSTD_freeDCtx(dctx);
      return base::InvalidArgument(std::string("invalid zstd body: ") + ZSTD_getErrorName(last));
    }
    if (out.size() + ob.pos > max_output) {
      ZSTD_freeDCtx(dctx);
      return TooLarge(max_output);
    }
    out.append(buf, ob.pos);
    if (ob.pos == 0 && last != 0 && in.pos == in.size) break;
  }
  // Drain any output still buffered inside the decoder.
  while (last != 0) {
    ZSTD_outBuffer ob{buf, sizeof(buf), 0};
    last = ZSTD_decompressStream(dctx, &ob, &in);
    if (ZSTD_isError(last) || ob.pos == 0) break;
    if (out.size() + ob.pos > max_output) {
      ZSTD_freeDCtx(dctx);
      return TooLarge(max_output);
    }
    out.append(buf, ob.pos);
  }
  ZSTD_freeDCtx(dctx);
  if (last != 0) return base::InvalidArgument("invalid zstd body: truncated frame");
  return out;
}

Result<std::string> Snappy(std::string_view input, size_t max_output) {
  size_t len = 0;
  if (!snappy::GetUncompressedLength(input.data(), input.size(), &len)) {
    return base::InvalidArgument("invalid snappy body: bad length header");
  }
  if (len > max_output) return TooLarge(max_output);
  std::string out;
  if (!snappy::Uncompress(input.data(), input.size(), &out)) {
    return base::InvalidArgument("invalid snappy body: corrupt block");
  }
  return out;
}

}  // namespace

Result<std::string> DecompressBody(std::string_view encoding, std::string_view input, size_t max_output) {
  std::string enc = Lower(encoding);
  if (enc.empty() || enc == "identity") {
    if (input.size() > max_output) return TooLarge(max_output);
    return std::string(input);
  }
  if (enc == "gzip" || enc == "x-gzip") return Inflate(input, max_output, 15 + 32, "gzip");
  if (enc == "deflate") {
    // RFC 9110 says zlib-wrapped; some clients send raw deflate. Try the standard first.
    auto r = Inflate(input, max_output, 15 + 32, "deflate");
    if (r.ok() || r.status().code() == base::StatusCode::kPayloadTooLarge) return r;
    auto raw = Inflate(input, max_output, -15, "deflate");
    return raw.ok() ? raw : r;
  }
  if (enc == "zstd") return Zstd(input, max_output);
  if (enc == "snappy") return Snappy(input, max_output);
  return base::UnsupportedMedia("unsupported Content-Encoding \"" + std::string(encoding) +
                                "\" (supported: gzip, deflate, zstd, snappy)");
}

namespace {
std::string DeflateWith(std::string_view input, int window_bits) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, input.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
}  // namespace

std::string GzipCompress(std::string_view input) { return DeflateWith(input, 15 + 16); }
std::string DeflateCompress(std::string_view input) { return DeflateWith(input, 15); }

std::string ZstdCompress(std::string_view input, int level) {
  std::string out(ZSTD_compressBound(input.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), level == 0 ? 3 : level);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

std::string SnappyCompress(std::string_view input) {
  std::string out;
  snappy::Compress(input.data(), input.size(), &out);
  return out;
}

}  // namespace strata::common
