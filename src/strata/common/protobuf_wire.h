#pragma once
// A minimal reader (and writer) of the protobuf wire format, for decoding request bodies without generated code
// (Loki push today, OTLP next). Only the encoding layer: the caller knows its messages' field numbers and types.
//
// Wire format (protobuf encoding spec): a message is a sequence of fields; each starts with a varint key
// (field_number << 3 | wire_type), then the value: varint (0), fixed64 (1, little-endian), length-delimited
// (2, varint length + bytes: strings, bytes, embedded messages, packed repeated), start/end group (3/4,
// deprecated; skipped with their contents), fixed32 (5). Unknown fields are skipped by the caller with Skip().
//
// WireReader is a cursor over a borrowed buffer (the caller keeps it alive; string_views it returns point into
// it). Every read checks bounds: malformed or truncated input is InvalidArgument with the byte offset, never a
// read past the end. Value type, not thread-safe; use one per thread. WireWriter appends to a string.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "strata/base/status.h"

namespace strata::common::protobuf {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

struct FieldKey {
  uint32_t number = 0;  // 1 .. 2^29-1
  WireType type = WireType::kVarint;
};

class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ >= data_.size(); }
  size_t offset() const { return pos_; }

  // The next field's key. Field number 0, a number above 2^29-1 and wire types 6/7 are errors.
  base::Result<FieldKey> NextKey();

  base::Result<uint64_t> ReadVarint();   // at most 10 bytes; the 10th may only carry the top bit
  base::Result<uint64_t> ReadFixed64();
  base::Result<uint32_t> ReadFixed32();
  base::Result<std::string_view> ReadLengthDelimited();  // the payload, borrowed from the buffer

  // Skips the value of a field whose key was just read (groups with their nested fields, to a bounded depth).
  base::Status Skip(const FieldKey& key);

  // Reads a value of the expected wire type for a field the caller knows, or an error naming the field.
  base::Result<uint64_t> ReadVarintField(const FieldKey& key, std::string_view name);
  base::Result<std::string_view> ReadBytesField(const FieldKey& key, std::string_view name);

 private:
  base::Status Malformed(std::string_view what) const;
  base::Status SkipGroup(uint32_t number, int depth);
  base::Status SkipValue(WireType type);

  std::string_view data_;
  size_t pos_ = 0;
};

// Appends encoded fields (tests, and responses such as OTLP's partial success).
class WireWriter {
 public:
  void Varint(uint32_t number, uint64_t value);
  void Fixed64(uint32_t number, uint64_t value);
  void Fixed32(uint32_t number, uint32_t value);
  void Bytes(uint32_t number, std::string_view value);  // strings, bytes and embedded messages
  void Key(uint32_t number, WireType type);
  void RawVarint(uint64_t value);

  const std::string& data() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace strata::common::protobuf
