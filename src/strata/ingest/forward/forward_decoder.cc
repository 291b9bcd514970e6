#include "strata/ingest/forward/forward_decoder.h"

#include <charconv>
#include <cmath>
#include <unordered_map>

#include "strata/common/compression.h"
#include "strata/common/json_writer.h"
#include "strata/model/level.h"

namespace strata::ingest::forward {
namespace {

namespace mp = common::msgpack;
using mp::Type;
using mp::Value;

constexpr int64_t kNanosPerSecond = 1'000'000'000;

std::string FloatText(double d) {
  if (!std::isfinite(d)) return "null";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  if (ec != std::errc()) return "null";
  return std::string(buf, end);
}

void AppendJson(std::string& out, const Value& v) {
  switch (v.type) {
    case Type::kNil: out += "null"; return;
    case Type::kBool: out += v.boolean ? "true" : "false"; return;
    case Type::kInt: out += std::to_string(v.int_value); return;
    case Type::kUint: out += std::to_string(v.uint_value); return;
    case Type::kFloat: out += FloatText(v.float_value); return;
    case Type::kStr:
    case Type::kBin: common::AppendJsonString(out, v.bytes); return;
    case Type::kExt: out += "null"; return;
    case Type::kArray:
      out += '[';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        AppendJson(out, v.items[i]);
      }
      out += ']';
      return;
    case Type::kMap:
      out += '{';
      for (size_t i = 0; i < v.map_size(); ++i) {
        if (i) out += ',';
        const Value& k = v.map_key(i);
        if (k.type == Type::kStr || k.type == Type::kBin) {
          common::AppendJsonString(out, k.bytes);
        } else {
          std::string key;
          AppendJson(key, k);
          common::AppendJsonString(out, key);
        }
        out += ':';
        AppendJson(out, v.map_value(i));
      }
      out += '}';
      return;
  }
}

// Scalar text of a value for a field or label; false for nil (no field).
bool ScalarText(const Value& v, std::string* out) {
  switch (v.type) {
    case Type::kNil: return false;
    case Type::kStr:
    case Type::kBin: out->assign(v.bytes); return true;
    default: out->clear(); AppendJson(*out, v); return true;
  }
}

base::Result<int64_t> EventTimeNanos(const Value& t, int64_t receive_time_ns) {
  switch (t.type) {
    case Type::kNil: return receive_time_ns;
    case Type::kUint:
      if (t.uint_value > static_cast<uint64_t>(INT64_MAX / kNanosPerSecond)) break;
      return static_cast<int64_t>(t.uint_value) * kNanosPerSecond;
    case Type::kInt:
      if (t.int_value < INT64_MIN / kNanosPerSecond) break;
      return t.int_value * kNanosPerSecond;
    case Type::kFloat: {
      // Whole seconds and the fraction apart: 1718452800.25 * 1e9 is not exact in a double, .25 * 1e9 is.
      const double sec = std::floor(t.float_value);
      if (!std::isfinite(sec) || sec < -9.2e9 || sec > 9.2e9) break;
      return static_cast<int64_t>(sec) * kNanosPerSecond +
             static_cast<int64_t>(std::llround((t.float_value - sec) * 1e9));
    }
    case Type::kExt: {
      if (t.ext_type != 0 || t.bytes.size() != 8) {
        return base::InvalidArgument("time: ext type " + std::to_string(t.ext_type) + " of " +
                                     std::to_string(t.bytes.size()) + " bytes is not an EventTime");
      }
      const auto* p = reinterpret_cast<const unsigned char*>(t.bytes.data());
      uint64_t sec = (uint64_t{p[0]} << 24) | (uint64_t{p[1]} << 16) | (uint64_t{p[2]} << 8) | p[3];
      uint64_t nsec = (uint64_t{p[4]} << 24) | (uint64_t{p[5]} << 16) | (uint64_t{p[6]} << 8) | p[7];
      if (nsec >= static_cast<uint64_t>(kNanosPerSecond)) {
        return base::InvalidArgument("time: EventTime nanoseconds " + std::to_string(nsec) + " >= 1e9");
      }
      return static_cast<int64_t>(sec) * kNanosPerSecond + static_cast<int64_t>(nsec);
    }
    default:
      return base::InvalidArgument("time: expected an integer, float or EventTime, got " +
                                   std::string(mp::TypeName(t.type)));
  }
  return base::InvalidArgument("time: out of range");
}

// Collects fields with unique names: first position, last value.
class FieldList {
 public:
  void Add(std::string name, std::string value, std::vector<model::Field>& fields) {
    auto [it, inserted] = index_.emplace(name, fields.size());
    if (inserted) {
      fields.push_back({std::move(name), std::move(value)});
    } else {
      fields[it->second].value = std::move(value);
    }
  }

 private:
  std::unordered_map<std::string, size_t> index_;
};

void Flatten(const std::string& prefix, const Value& v, std::vector<model::Field>& fields, FieldList& seen) {
  if (v.type == Type::kMap) {
    for (size_t i = 0; i < v.map_size(); ++i) {
      std::string key;
      if (!ScalarText(v.map_key(i), &key)) continue;
      Flatten(prefix + "." + key, v.map_value(i), fields, seen);
    }
    return;
  }
  std::string text;
  if (!ScalarText(v, &text)) return;
  seen.Add(prefix, std::move(text), fields);
}

class EntryDecoder {
 public:
  EntryDecoder(const DecodeOptions& options, DecodedMessage& out) : options_(options), out_(out) {}

  // Decodes one event from its time and record values; failures become rejections.
  void Add(size_t index, const Value& time, const Value& record) {
    auto ts = EventTimeNanos(time, options_.receive_time_ns);
    if (!ts.ok()) return Reject(index, ts.status().message());
    if (record.type != Type::kMap) {
      return Reject(index, "record: expected a map, got " + std::string(mp::TypeName(record.type)));
    }
    model::LogRecord r;
    r.timestamp_ns = *ts;
    r.labels.push_back({"tag", out_.tag});
    const Value* message = record.Find("message");
    const Value* log = message ? nullptr : record.Find("log");
    const Value* msg = message ? message : log;
    if (msg) {
      if (msg->type == Type::kStr || msg->type == Type::kBin) {
        r.message.assign(msg->bytes);
      } else if (msg->type != Type::kNil) {
        AppendJson(r.message, *msg);
      }
    }
    FieldList seen;
    for (size_t i = 0; i < record.map_size(); ++i) {
      const Value& value = record.map_value(i);
      if (&value == msg) continue;
      std::string key;
      if (!ScalarText(record.map_key(i), &key)) continue;
      if (options_.labels && value.type != Type::kMap && value.type != Type::kArray && value.type != Type::kNil) {
        std::string_view label = options_.labels->LabelFor(key);
        if (!label.empty()) {
          std::string text;
          ScalarText(value, &text);
          if (label == "level") text = model::NormalizeLevel(text);
          r.labels.push_back({std::string(label), std::move(text)});
          continue;
        }
      }
      Flatten(key, value, r.fields, seen);
    }
    model::CanonicalizeLabels(r.labels);
    if (r.fields.size() > options_.max_fields) {
      return Reject(index, "too many fields: " + std::to_string(r.fields.size()) + " > limit " +
                               std::to_string(options_.max_fields));
    }
    if (r.RawBytes() > options_.max_line_bytes) {
      return Reject(index, "line too long: " + std::to_string(r.RawBytes()) + " bytes > limit " +
                               std::to_string(options_.max_line_bytes));
    }
    out_.records.push_back(std::move(r));
  }

  // One [time, record] entry.
  void AddEntry(size_t index, const Value& entry) {
    if (entry.type != Type::kArray || entry.items.size() != 2) {
      return Reject(index, "entry: expected [time, record]");
    }
    Add(index, entry.items[0], entry.items[1]);
  }

  void Reject(size_t index, std::string reason) { out_.rejected.push_back({index, std::move(reason)}); }

 private:
  const DecodeOptions& options_;
  DecodedMessage& out_;
};

base::Status ApplyOption(const Value& option, DecodedMessage& out, std::string* compressed) {
  if (option.type == Type::kNil) return base::Status::Ok();
  if (option.type != Type::kMap) {
    return base::InvalidArgument("forward: option must be a map, got " + std::string(mp::TypeName(option.type)));
  }
  if (const Value* chunk = option.Find("chunk"); chunk && (chunk->type == Type::kStr || chunk->type == Type::kBin)) {
    out.chunk = std::string(chunk->bytes);
  }
  if (const Value* c = option.Find("compressed"); c && c->type == Type::kStr) *compressed = std::string(c->bytes);
  return base::Status::Ok();
}

base::Status Fail(const base::Status& st) {
  if (st.ok()) return st;
  return base::Status(st.code(), "forward: " + st.message());
}

}  // namespace

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kHeartbeat: return "heartbeat";
    case Mode::kMessage: return "message";
    case Mode::kForward: return "forward";
    case Mode::kPackedForward: return "packed_forward";
    case Mode::kCompressedPackedForward: return "compressed_packed_forward";
  }
  return "?";
}

base::Result<DecodedMessage> DecodeForwardMessage(std::string_view message, const DecodeOptions& options) {
  DecodedMessage out;
  size_t pos = 0;
  auto first = mp::PeekType(message, 0);
  if (!first.ok()) return Fail(first.status());
  if (*first == Type::kNil) {
    if (message.size() != 1) return base::InvalidArgument("forward: bytes after a heartbeat");
    return out;
  }
  if (*first != Type::kArray) {
    return base::InvalidArgument("forward: expected an array, got " + std::string(mp::TypeName(*first)));
  }
  auto arity = mp::ReadArrayHeader(message, &pos);
  if (!arity.ok()) return Fail(arity.status());
  if (*arity < 2 || *arity > 4) {
    return base::InvalidArgument("forward: expected an array of 2 to 4 elements, got " + std::to_string(*arity));
  }
  mp::Limits small;
  small.max_depth = 2;
  small.max_elements = 1;
  auto tag = mp::DecodeAt(message, &pos, small);
  if (!tag.ok()) return Fail(tag.status());
  if (tag->type != Type::kStr) {
    return base::InvalidArgument("forward: tag must be a str, got " + std::string(mp::TypeName(tag->type)));
  }
  out.tag = std::string(tag->bytes);
  auto second = mp::PeekType(message, pos);
  if (!second.ok()) return Fail(second.status());

  EntryDecoder entries(options, out);
  std::string compressed;
  if (*second == Type::kArray) {
    // Forward: decode entry by entry so memory is bounded per entry, not per message.
    out.mode = Mode::kForward;
    if (*arity > 3) return base::InvalidArgument("forward: Forward mode takes [tag, entries, option?]");
    auto n = mp::ReadArrayHeader(message, &pos);
    if (!n.ok()) return Fail(n.status());
    for (uint64_t i = 0; i < *n; ++i) {
      auto entry = mp::DecodeAt(message, &pos, options.msgpack_limits);
      if (!entry.ok()) return Fail(entry.status());
      entries.AddEntry(i, *entry);
    }
    if (*arity == 3) {
      auto option = mp::DecodeAt(message, &pos, options.msgpack_limits);
      if (!option.ok()) return Fail(option.status());
      RETURN_IF_ERROR(ApplyOption(*option, out, &compressed));
    }
  } else if (*second == Type::kStr || *second == Type::kBin) {
    out.mode = Mode::kPackedForward;
    if (*arity > 3) return base::InvalidArgument("forward: PackedForward mode takes [tag, entries, option?]");
    mp::Limits blob_limits;
    blob_limits.max_elements = 1;
    auto blob = mp::DecodeAt(message, &pos, blob_limits);
    if (!blob.ok()) return Fail(blob.status());
    if (*arity == 3) {
      auto option = mp::DecodeAt(message, &pos, options.msgpack_limits);
      if (!option.ok()) return Fail(option.status());
      RETURN_IF_ERROR(ApplyOption(*option, out, &compressed));
    }
    std::string inflated;
    std::string_view stream = blob->bytes;
    if (!compressed.empty() && compressed != "text") {
      if (compressed != "gzip") {
        return base::InvalidArgument("forward: unsupported compression \"" + compressed + "\" (supported: gzip)");
      }
      out.mode = Mode::kCompressedPackedForward;
      auto body = common::DecompressBody("gzip", stream, options.max_decompressed_bytes);
      if (!body.ok()) return Fail(body.status());
      inflated = std::move(body).value();
      stream = inflated;
    }
    size_t at = 0;
    for (size_t i = 0; at < stream.size(); ++i) {
      auto entry = mp::DecodeAt(stream, &at, options.msgpack_limits);
      if (!entry.ok()) {
        entries.Reject(i, "entry: " + entry.status().message() + " (and every entry after it)");
        break;
      }
      entries.AddEntry(i, *entry);
    }
  } else {
    out.mode = Mode::kMessage;
    if (*arity < 3) return base::InvalidArgument("forward: Message mode takes [tag, time, record, option?]");
    auto time = mp::DecodeAt(message, &pos, options.msgpack_limits);
    if (!time.ok()) return Fail(time.status());
    auto record = mp::DecodeAt(message, &pos, options.msgpack_limits);
    if (!record.ok()) return Fail(record.status());
    if (*arity == 4) {
      auto option = mp::DecodeAt(message, &pos, options.msgpack_limits);
      if (!option.ok()) return Fail(option.status());
      RETURN_IF_ERROR(ApplyOption(*option, out, &compressed));
    }
    entries.Add(0, *time, *record);
  }
  if (pos != message.size()) {
    return base::InvalidArgument("forward: " + std::to_string(message.size() - pos) + " bytes after the message");
  }
  return out;
}

std::string EncodeAck(std::string_view chunk) {
  std::string out;
  mp::AppendMapHeader(out, 1);
  mp::AppendStr(out, "ack");
  mp::AppendStr(out, chunk);
  return out;
}

std::string EncodeEventTime(uint32_t seconds, uint32_t nanoseconds) {
  std::string payload;
  for (int i = 3; i >= 0; --i) payload += static_cast<char>((seconds >> (8 * i)) & 0xff);
  for (int i = 3; i >= 0; --i) payload += static_cast<char>((nanoseconds >> (8 * i)) & 0xff);
  std::string out;
  mp::AppendExt(out, 0, payload);
  return out;
}

}  // namespace strata::ingest::forward
