#pragma once
// SyslogFramer: splits a syslog TCP (or TLS) byte stream into messages, RFC 6587.
//
//   octet counting            MSG-LEN SP SYSLOG-MSG    (MSG-LEN = NONZERO-DIGIT *DIGIT, at most 10 digits)
//   non-transparent framing   SYSLOG-MSG LF            (a CR before the LF and NULs are dropped by the parser)
// The method is detected per frame, as rsyslog does: a frame that starts with a digit 1-9 followed by digits and a
// SP is octet-counted; anything else (normally '<') runs to the next LF. Blank lines between frames are skipped.
//
// Limits: a frame longer than max_frame_bytes is dropped as it streams by (its octet count is skipped; a
// newline-delimited frame is discarded up to its LF) and reported once as kOversized, so memory stays bounded by
// max_frame_bytes whatever the peer sends. Finish() reports what is left at the end of the stream: a partial
// newline-delimited frame is a message (senders that close without a final LF), a partial octet-counted frame is
// kTruncated.
//
// Not thread-safe: one framer per connection.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace strata::ingest::syslog {

class SyslogFramer {
 public:
  enum class Event { kMessage, kOversized, kTruncated };
  // For kMessage, frame is the message (valid only during the call); for the others it is empty.
  using Sink = std::function<void(Event event, std::string_view frame)>;

  explicit SyslogFramer(size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  void Feed(std::string_view data, const Sink& sink);
  void Finish(const Sink& sink);
  // Bytes held for an incomplete frame.
  size_t buffered() const { return buffer_.size(); }

 private:
  enum class State { kStart, kLine, kOctets, kSkipLine, kSkipOctets };
  size_t max_frame_bytes_;
  State state_ = State::kStart;
  std::string buffer_;
  size_t remaining_ = 0;  // kOctets / kSkipOctets: bytes of the frame still to come
};

}  // namespace strata::ingest::syslog
