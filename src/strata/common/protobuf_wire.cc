#include "strata/common/protobuf_wire.h"

#include "strata/common/coding.h"

namespace strata::common::protobuf {
namespace {

constexpr uint32_t kMaxFieldNumber = (1u << 29) - 1;
// Groups are deprecated and never sent by the clients we serve; the bound only keeps Skip() from recursing
// without limit on hostile input.
constexpr int kMaxGroupDepth = 32;

std::string_view WireTypeName(WireType t) {
  switch (t) {
    case WireType::kVarint: return "varint";
    case WireType::kFixed64: return "fixed64";
    case WireType::kLengthDelimited: return "length-delimited";
    case WireType::kStartGroup: return "start-group";
    case WireType::kEndGroup: return "end-group";
    case WireType::kFixed32: return "fixed32";
  }
  return "unknown";
}

}  // namespace

base::Status WireReader::Malformed(std::string_view what) const {
  return base::InvalidArgument("malformed protobuf: " + std::string(what) + " at offset " + std::to_string(pos_));
}

base::Result<uint64_t> WireReader::ReadVarint() {
  uint64_t value = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= data_.size()) return Malformed("truncated varint");
    const auto byte = static_cast<uint8_t>(data_[pos_++]);
    if (i == 9 && byte > 1) return Malformed("varint longer than 64 bits");
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return value;
  }
  return Malformed("varint longer than 10 bytes");
}

base::Result<FieldKey> WireReader::NextKey() {
  const size_t start = pos_;
  ASSIGN_OR_RETURN(uint64_t key, ReadVarint());
  const uint64_t number = key >> 3;
  const auto type = static_cast<uint8_t>(key & 7);
  if (number == 0 || number > kMaxFieldNumber) {
    pos_ = start;
    return Malformed("invalid field number " + std::to_string(number));
  }
  if (type > 5) {
    pos_ = start;
    return Malformed("invalid wire type " + std::to_string(type));
  }
  return FieldKey{static_cast<uint32_t>(number), static_cast<WireType>(type)};
}

base::Result<uint64_t> WireReader::ReadFixed64() {
  if (data_.size() - pos_ < 8) return Malformed("truncated fixed64");
  uint64_t v = DecodeFixed64(data_.data() + pos_);
  pos_ += 8;
  return v;
}

base::Result<uint32_t> WireReader::ReadFixed32() {
  if (data_.size() - pos_ < 4) return Malformed("truncated fixed32");
  uint32_t v = DecodeFixed32(data_.data() + pos_);
  pos_ += 4;
  return v;
}

base::Result<std::string_view> WireReader::ReadLengthDelimited() {
  const size_t start = pos_;
  ASSIGN_OR_RETURN(uint64_t len, ReadVarint());
  if (len > data_.size() - pos_) {
    pos_ = start;
    return Malformed("length " + std::to_string(len) + " past the end of the message");
  }
  std::string_view out = data_.substr(pos_, len);
  pos_ += len;
  return out;
}

base::Status WireReader::SkipGroup(uint32_t number, int depth) {
  if (depth > kMaxGroupDepth) return Malformed("groups nested too deeply");
  while (true) {
    if (done()) return Malformed("unterminated group");
    ASSIGN_OR_RETURN(FieldKey key, NextKey());
    if (key.type == WireType::kEndGroup) {
      if (key.number != number) return Malformed("mismatched end-group");
      return base::Status::Ok();
    }
    if (key.type == WireType::kStartGroup) {
      RETURN_IF_ERROR(SkipGroup(key.number, depth + 1));
    } else {
      RETURN_IF_ERROR(SkipValue(key.type));
    }
  }
}

base::Status WireReader::SkipValue(WireType type) {
  switch (type) {
    case WireType::kVarint: return ReadVarint().status();
    case WireType::kFixed64: return ReadFixed64().status();
    case WireType::kFixed32: return ReadFixed32().status();
    case WireType::kLengthDelimited: return ReadLengthDelimited().status();
    case WireType::kStartGroup:
    case WireType::kEndGroup: break;  // handled by Skip / SkipGroup
  }
  return Malformed("unexpected end-group");
}

base::Status WireReader::Skip(const FieldKey& key) {
  if (key.type == WireType::kStartGroup) return SkipGroup(key.number, 1);
  return SkipValue(key.type);
}

base::Result<uint64_t> WireReader::ReadVarintField(const FieldKey& key, std::string_view name) {
  if (key.type != WireType::kVarint) {
    return Malformed(std::string(name) + ": expected varint, got " + std::string(WireTypeName(key.type)));
  }
  return ReadVarint();
}

base::Result<std::string_view> WireReader::ReadBytesField(const FieldKey& key, std::string_view name) {
  if (key.type != WireType::kLengthDelimited) {
    return Malformed(std::string(name) + ": expected length-delimited, got " +
                     std::string(WireTypeName(key.type)));
  }
  return ReadLengthDelimited();
}

void WireWriter::RawVarint(uint64_t value) { PutVarint64(out_, value); }

void WireWriter::Key(uint32_t number, WireType type) {
  RawVarint((static_cast<uint64_t>(number) << 3) | static_cast<uint64_t>(type));
}

void WireWriter::Varint(uint32_t number, uint64_t value) {
  Key(number, WireType::kVarint);
  RawVarint(value);
}

void WireWriter::Fixed64(uint32_t number, uint64_t value) {
  Key(number, WireType::kFixed64);
  PutFixed64(out_, value);
}

void WireWriter::Fixed32(uint32_t number, uint32_t value) {
  Key(number, WireType::kFixed32);
  PutFixed32(out_, value);
}

void WireWriter::Bytes(uint32_t number, std::string_view value) {
  Key(number, WireType::kLengthDelimited);
  PutLengthPrefixed(out_, value);
}

}  // namespace strata::common::protobuf
