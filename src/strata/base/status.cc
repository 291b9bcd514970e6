#include "strata/base/status.h"

#include <cstring>

namespace strata::base {
namespace {

struct CodeInfo {
  StatusCode code;
  std::string_view name;
  int http;
  int grpc;
};

// The one mapping from Strata codes to HTTP statuses and gRPC codes.
constexpr CodeInfo kCodes[] = {
    {StatusCode::kOk, "ok", 200, 0},
    {StatusCode::kInvalidArgument, "invalid_argument", 400, 3},
    {StatusCode::kNotFound, "not_found", 404, 5},
    {StatusCode::kAlreadyExists, "already_exists", 409, 6},
    {StatusCode::kPayloadTooLarge, "payload_too_large", 413, 8},
    {StatusCode::kUnsupportedMedia, "unsupported_media_type", 415, 3},
    {StatusCode::kResourceExhausted, "resource_exhausted", 429, 8},
    {StatusCode::kFailedPrecondition, "failed_precondition", 400, 9},
    {StatusCode::kUnavailable, "unavailable", 503, 14},
    {StatusCode::kDeadlineExceeded, "deadline_exceeded", 504, 4},
    {StatusCode::kCancelled, "cancelled", 499, 1},
    {StatusCode::kDataLoss, "data_loss", 500, 15},
    {StatusCode::kInternal, "internal", 500, 13},
    {StatusCode::kUnimplemented, "unimplemented", 501, 12},
};

const CodeInfo& Info(StatusCode code) {
  for (const auto& info : kCodes) {
    if (info.code == code) return info;
  }
  return kCodes[static_cast<int>(StatusCode::kInternal)];
}

}  // namespace

std::string_view StatusCodeName(StatusCode code) { return Info(code).name; }
int HttpStatusFor(StatusCode code) { return Info(code).http; }
int GrpcCodeFor(StatusCode code) { return Info(code).grpc; }

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

Status IoError(std::string_view op, std::string_view path, int err) {
  std::string msg(op);
  msg += " ";
  msg += path;
  msg += ": ";
  msg += std::strerror(err);
  return {err == ENOSPC ? StatusCode::kResourceExhausted : StatusCode::kInternal, std::move(msg)};
}

}  // namespace strata::base
