#pragma once
// Status and Result<T>: the error model at every module boundary.
//
// A Status is a code plus a human-readable message. Codes map to HTTP statuses and gRPC codes in exactly one
// table (status.cc), so a front end never invents its own mapping. Exceptions never cross a module, thread or
// socket: code that calls a throwing library catches at the call site and returns a Status.
//
// Thread-safety: value types; safe to copy between threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace strata::base {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed (HTTP 400)
  kNotFound,            // 404
  kAlreadyExists,       // 409
  kPayloadTooLarge,     // a body or line over its limit (HTTP 413)
  kUnsupportedMedia,    // unknown content type or encoding (HTTP 415)
  kResourceExhausted,   // back-pressure: retry later (HTTP 429)
  kFailedPrecondition,  // 400 in HTTP, but not retryable as-is
  kUnavailable,         // shutting down or not ready (HTTP 503)
  kDeadlineExceeded,    // 504
  kCancelled,           // 499 (client went away)
  kDataLoss,            // corruption detected on disk (500)
  kInternal,            // a bug (500)
  kUnimplemented,       // 501
};

// Stable lower_snake_case name, used as the JSON error "code" field.
std::string_view StatusCodeName(StatusCode code);
int HttpStatusFor(StatusCode code);
int GrpcCodeFor(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status PayloadTooLarge(std::string m) { return {StatusCode::kPayloadTooLarge, std::move(m)}; }
inline Status UnsupportedMedia(std::string m) { return {StatusCode::kUnsupportedMedia, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
// An OS call failed: message carries the operation, the path and strerror(err).
Status IoError(std::string_view op, std::string_view path, int err);

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                      // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}              // NOLINT: implicit by design
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace strata::base

#define STRATA_CONCAT_INNER(a, b) a##b
#define STRATA_CONCAT(a, b) STRATA_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::strata::base::Status _st = (expr);           \
    if (!_st.ok()) return _st;                     \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(STRATA_CONCAT(_res_, __LINE__), lhs, expr)
