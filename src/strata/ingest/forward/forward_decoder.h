#pragma once
// Decoder of the Fluentd forward protocol (Forward Protocol Specification v1), one msgpack message at a time.
// The listener (server/forward_listener.cc) frames the TCP stream into messages with msgpack::Scanner and calls
// DecodeForwardMessage on each.
//
// A message is a msgpack array; the mode is told by its second element:
//   Message                  [tag, time, record, option?]
//   Forward                  [tag, [[time, record], ...], option?]
//   PackedForward            [tag, bin|str (concatenated msgpack [time, record] entries), option?]
//   CompressedPackedForward  PackedForward whose entries are gzip (option `compressed: "gzip"`; several gzip members
//                            may be concatenated)
// A lone nil is a heartbeat (v0 clients): no records, no error.
//   tag     str -> the label `tag`
//   time    uint seconds, float seconds, or EventTime: ext type 0 with 8 bytes (uint32 BE seconds, uint32 BE
//           nanoseconds), as fixext 8 or ext 8
//   record  map with str keys: `message` (else `log`) -> LogRecord::message (a non-str value as its JSON text;
//           when both are present `log` stays a field); keys the LabelPolicy names (if one is given) with a scalar
//           value -> labels (`level` normalised); every other key -> a field: str/bin as is, numbers and booleans as
//           text, nested maps flattened `a.b.c`, arrays as JSON text, nil skipped. Duplicate field names keep the
//           first position and the last value.
//   option  map: `chunk` (str: the client wants {"ack": chunk} once the events are durable), `size` (ignored),
//           `compressed` ("gzip" or "text"). Anything else is ignored.
// Handshake (HELO/PING/PONG, shared-key auth) is not implemented: clients must not configure a shared key.
//
// Errors: a message that is not an array of the shapes above, a tag that is not a str, an unknown compression, a
// corrupt gzip stream are InvalidArgument; decompression beyond max_decompressed_bytes is PayloadTooLarge. These
// are protocol errors (the listener drops the connection). A bad *entry* (not [time, record], bad time, record not a
// map, over the line or field limits) is a Rejection and the other entries are kept; in PackedForward, entries
// after an undecodable one are rejected together (the stream cannot be resynchronised).
//
// Pure function: thread-safe. Records own their bytes (nothing borrows from the message).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/common/msgpack.h"
#include "strata/model/label_policy.h"
#include "strata/model/log_record.h"

namespace strata::ingest::forward {

enum class Mode { kHeartbeat, kMessage, kForward, kPackedForward, kCompressedPackedForward };
std::string_view ModeName(Mode mode);

struct DecodeOptions {
  const model::LabelPolicy* labels = nullptr;  // optional: record keys it names become labels
  size_t max_line_bytes = 256 * 1024;          // LogRecord::RawBytes() above this is rejected
  size_t max_fields = 256;
  size_t max_decompressed_bytes = 256ull << 20;
  int64_t receive_time_ns = 0;                 // unused unless a time is nil (accepted as "now")
  common::msgpack::Limits msgpack_limits;      // per entry
};

struct Rejection {
  size_t index;        // entry index within the message
  std::string reason;  // stable prefix before ':' ("entry", "time", "record", "line too long", "too many fields")
};

struct DecodedMessage {
  Mode mode = Mode::kHeartbeat;
  std::string tag;
  std::optional<std::string> chunk;  // option.chunk
  std::vector<model::LogRecord> records;
  std::vector<Rejection> rejected;
};

base::Result<DecodedMessage> DecodeForwardMessage(std::string_view message, const DecodeOptions& options);

// The msgpack acknowledgement {"ack": chunk}.
std::string EncodeAck(std::string_view chunk);

// EventTime as the spec defines it (fixext 8, type 0), for tests and clients.
std::string EncodeEventTime(uint32_t seconds, uint32_t nanoseconds);

}  // namespace strata::ingest::forward
