#include "strata/common/msgpack.h"

#include <cstring>

namespace strata::common::msgpack {
namespace {

uint64_t BigEndian(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// What a format byte (plus its length bytes) says about the value that starts at `pos`.
struct Header {
  Type type = Type::kNil;
  size_t header_len = 0;   // format byte + length/type bytes
  uint64_t payload = 0;    // bytes after the header (scalars, str, bin, ext)
  uint64_t count = 0;      // arrays: elements; maps: keys + values
  uint64_t immediate = 0;  // fixints and int/uint/float bits, bool
  bool is_signed = false;
  int8_t ext_type = 0;
};

enum class HeaderOutcome { kOk, kIncomplete, kError };

// Parses the header at data[pos]. Needs only the header bytes; the payload may still be missing.
HeaderOutcome ParseHeader(std::string_view data, size_t pos, Header* h) {
  if (pos >= data.size()) return HeaderOutcome::kIncomplete;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data()) + pos;
  const size_t avail = data.size() - pos;
  const unsigned char b = p[0];
  *h = Header{};
  h->header_len = 1;
  auto need = [&](size_t n) { return avail >= n; };
  auto sized = [&](Type t, int len_bytes) {
    if (!need(1 + len_bytes)) return HeaderOutcome::kIncomplete;
    h->type = t;
    h->header_len = 1 + len_bytes;
    uint64_t n = BigEndian(p + 1, len_bytes);
    if (t == Type::kArray) {
      h->count = n;
    } else if (t == Type::kMap) {
      h->count = 2 * n;
    } else {
      h->payload = n;
    }
    return HeaderOutcome::kOk;
  };
  auto fixed = [&](Type t, int bytes, bool is_signed) {
    if (!need(1 + bytes)) return HeaderOutcome::kIncomplete;
    h->type = t;
    h->header_len = 1 + bytes;
    h->immediate = BigEndian(p + 1, bytes);
    h->is_signed = is_signed;
    h->payload = 0;
    return HeaderOutcome::kOk;
  };
  auto ext = [&](int len_bytes, uint64_t fixed_len) {
    if (!need(1 + len_bytes + 1)) return HeaderOutcome::kIncomplete;
    h->type = Type::kExt;
    h->header_len = 1 + len_bytes + 1;
    h->payload = len_bytes ? BigEndian(p + 1, len_bytes) : fixed_len;
    h->ext_type = static_cast<int8_t>(p[1 + len_bytes]);
    return HeaderOutcome::kOk;
  };
  if (b <= 0x7f) {
    h->type = Type::kUint;
    h->immediate = b;
    return HeaderOutcome::kOk;
  }
  if (b >= 0xe0) {
    h->type = Type::kInt;
    h->immediate = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b)));
    h->is_signed = true;
    return HeaderOutcome::kOk;
  }
  if (b >= 0x80 && b <= 0x8f) {
    h->type = Type::kMap;
    h->count = 2ull * (b & 0x0f);
    return HeaderOutcome::kOk;
  }
  if (b >= 0x90 && b <= 0x9f) {
    h->type = Type::kArray;
    h->count = b & 0x0f;
    return HeaderOutcome::kOk;
  }
  if (b >= 0xa0 && b <= 0xbf) {
    h->type = Type::kStr;
    h->payload = b & 0x1f;
    return HeaderOutcome::kOk;
  }
  switch (b) {
    case 0xc0: h->type = Type::kNil; return HeaderOutcome::kOk;
    case 0xc2: h->type = Type::kBool; h->immediate = 0; return HeaderOutcome::kOk;
    case 0xc3: h->type = Type::kBool; h->immediate = 1; return HeaderOutcome::kOk;
    case 0xc4: return sized(Type::kBin, 1);
    case 0xc5: return sized(Type::kBin, 2);
    case 0xc6: return sized(Type::kBin, 4);
    case 0xc7: return ext(1, 0);
    case 0xc8: return ext(2, 0);
    case 0xc9: return ext(4, 0);
    case 0xca: return fixed(Type::kFloat, 4, false);
    case 0xcb: return fixed(Type::kFloat, 8, false);
    case 0xcc: return fixed(Type::kUint, 1, false);
    case 0xcd: return fixed(Type::kUint, 2, false);
    case 0xce: return fixed(Type::kUint, 4, false);
    case 0xcf: return fixed(Type::kUint, 8, false);
    case 0xd0: return fixed(Type::kInt, 1, true);
    case 0xd1: return fixed(Type::kInt, 2, true);
    case 0xd2: return fixed(Type::kInt, 4, true);
    case 0xd3: return fixed(Type::kInt, 8, true);
    case 0xd4: return ext(0, 1);
    case 0xd5: return ext(0, 2);
    case 0xd6: return ext(0, 4);
    case 0xd7: return ext(0, 8);
    case 0xd8: return ext(0, 16);
    case 0xd9: return sized(Type::kStr, 1);
    case 0xda: return sized(Type::kStr, 2);
    case 0xdb: return sized(Type::kStr, 4);
    case 0xdc: return sized(Type::kArray, 2);
    case 0xdd: return sized(Type::kArray, 4);
    case 0xde: return sized(Type::kMap, 2);
    case 0xdf: return sized(Type::kMap, 4);
    default: return HeaderOutcome::kError;  // 0xc1: never used
  }
}

base::Status Error(const std::string& what, size_t offset) {
  return base::InvalidArgument("msgpack: " + what + " at offset " + std::to_string(offset));
}

class Decoder {
 public:
  Decoder(std::string_view input, const Limits& limits) : in_(input), limits_(limits) {}

  base::Status DecodeValue(Value* out, int depth) {
    if (++elements_ > limits_.max_elements) {
      return Error("more than " + std::to_string(limits_.max_elements) + " values", pos_);
    }
    Header h;
    switch (ParseHeader(in_, pos_, &h)) {
      case HeaderOutcome::kIncomplete: return Error("truncated value", pos_);
      case HeaderOutcome::kError: return Error("reserved format byte 0xc1", pos_);
      case HeaderOutcome::kOk: break;
    }
    const size_t start = pos_;
    pos_ += h.header_len;
    out->type = h.type;
    switch (h.type) {
      case Type::kNil: break;
      case Type::kBool: out->boolean = h.immediate != 0; break;
      case Type::kUint: out->uint_value = h.immediate; break;
      case Type::kInt: {
        int64_t v;
        const size_t width = h.header_len - 1;
        if (width == 0) {
          v = static_cast<int64_t>(h.immediate);
        } else {
          // Sign-extend a width-byte two's complement value.
          const int shift = 64 - 8 * static_cast<int>(width);
          v = static_cast<int64_t>(h.immediate << shift) >> shift;
        }
        if (v >= 0) {
          out->type = Type::kUint;
          out->uint_value = static_cast<uint64_t>(v);
        } else {
          out->int_value = v;
        }
        break;
      }
      case Type::kFloat: {
        if (h.header_len == 5) {
          uint32_t bits = static_cast<uint32_t>(h.immediate);
          float f;
          std::memcpy(&f, &bits, sizeof f);
          out->float_value = f;
        } else {
          double d;
          std::memcpy(&d, &h.immediate, sizeof d);
          out->float_value = d;
        }
        break;
      }
      case Type::kStr:
      case Type::kBin:
      case Type::kExt: {
        if (h.payload > in_.size() - pos_) {
          return Error("truncated " + std::string(TypeName(h.type)) + " of " + std::to_string(h.payload) + " bytes",
                       start);
        }
        out->bytes = in_.substr(pos_, h.payload);
        out->ext_type = h.ext_type;
        pos_ += h.payload;
        break;
      }
      case Type::kArray:
      case Type::kMap: {
        // Empty containers nest nothing (the Scanner agrees: it counts only containers that hold values).
        if (h.count > 0 && depth >= limits_.max_depth) {
          return Error("nesting deeper than " + std::to_string(limits_.max_depth), start);
        }
        // Every element takes at least one byte: a count beyond the remaining input is a lie (or a truncation),
        // and is refused before any memory is reserved.
        if (h.count > in_.size() - pos_) {
          return Error("truncated " + std::string(TypeName(h.type)) + " of " + std::to_string(h.count) + " values",
                       start);
        }
        if (h.count > limits_.max_elements - elements_) {
          return Error("more than " + std::to_string(limits_.max_elements) + " values", start);
        }
        out->items.resize(h.count);
        for (uint64_t i = 0; i < h.count; ++i) RETURN_IF_ERROR(DecodeValue(&out->items[i], depth + 1));
        break;
      }
    }
    return base::Status::Ok();
  }

  size_t pos() const { return pos_; }

 private:
  std::string_view in_;
  const Limits& limits_;
  size_t pos_ = 0;
  size_t elements_ = 0;
};

void AppendBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNil: return "nil";
    case Type::kBool: return "bool";
    case Type::kInt: return "int";
    case Type::kUint: return "uint";
    case Type::kFloat: return "float";
    case Type::kStr: return "str";
    case Type::kBin: return "bin";
    case Type::kArray: return "array";
    case Type::kMap: return "map";
    case Type::kExt: return "ext";
  }
  return "?";
}

const Value* Value::Find(std::string_view key) const {
  if (type != Type::kMap) return nullptr;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].type == Type::kStr && items[i].bytes == key) return &items[i + 1];
  }
  return nullptr;
}

base::Result<Value> Decode(std::string_view input, size_t* consumed, const Limits& limits) {
  Decoder d(input, limits);
  Value v;
  RETURN_IF_ERROR(d.DecodeValue(&v, 0));
  if (consumed) *consumed = d.pos();
  return v;
}

base::Result<Value> DecodeExact(std::string_view input, const Limits& limits) {
  size_t consumed = 0;
  auto v = Decode(input, &consumed, limits);
  if (!v.ok()) return v;
  if (consumed != input.size()) {
    return Error(std::to_string(input.size() - consumed) + " bytes after the value", consumed);
  }
  return v;
}

base::Result<Type> PeekType(std::string_view input, size_t pos) {
  Header h;
  switch (ParseHeader(input, pos, &h)) {
    case HeaderOutcome::kIncomplete: return Error("truncated value", pos);
    case HeaderOutcome::kError: return Error("reserved format byte 0xc1", pos);
    case HeaderOutcome::kOk: break;
  }
  return h.type;
}

base::Result<uint64_t> ReadArrayHeader(std::string_view input, size_t* pos) {
  Header h;
  switch (ParseHeader(input, *pos, &h)) {
    case HeaderOutcome::kIncomplete: return Error("truncated value", *pos);
    case HeaderOutcome::kError: return Error("reserved format byte 0xc1", *pos);
    case HeaderOutcome::kOk: break;
  }
  if (h.type != Type::kArray) return Error("expected an array, got " + std::string(TypeName(h.type)), *pos);
  if (h.count > input.size() - *pos - h.header_len) {
    return Error("truncated array of " + std::to_string(h.count) + " values", *pos);
  }
  *pos += h.header_len;
  return h.count;
}

base::Result<Value> DecodeAt(std::string_view input, size_t* pos, const Limits& limits) {
  if (*pos > input.size()) return Error("truncated value", *pos);
  size_t consumed = 0;
  auto v = Decode(input.substr(*pos), &consumed, limits);  // error offsets are relative to *pos
  if (!v.ok()) return v;
  *pos += consumed;
  return v;
}

void Scanner::Reset() {
  pos_ = 0;
  pending_.clear();
  started_ = false;
  error_.clear();
}

Scanner::State Scanner::Scan(std::string_view buffer) {
  if (!error_.empty()) return State::kError;
  if (started_ && pending_.empty()) return State::kComplete;
  while (true) {
    Header h;
    switch (ParseHeader(buffer, pos_, &h)) {
      case HeaderOutcome::kIncomplete: return State::kIncomplete;
      case HeaderOutcome::kError:
        error_ = "msgpack: reserved format byte 0xc1 at offset " + std::to_string(pos_);
        return State::kError;
      case HeaderOutcome::kOk: break;
    }
    const bool container = h.type == Type::kArray || h.type == Type::kMap;
    if (!container && h.payload > buffer.size() - pos_ - h.header_len) return State::kIncomplete;
    started_ = true;
    pos_ += h.header_len + (container ? 0 : h.payload);
    if (container && h.count > 0) {
      if (static_cast<int>(pending_.size()) >= max_depth_) {
        error_ = "msgpack: nesting deeper than " + std::to_string(max_depth_);
        return State::kError;
      }
      pending_.push_back(h.count);
      continue;
    }
    // A whole value ended: close every container it completes.
    while (!pending_.empty()) {
      if (--pending_.back() > 0) break;
      pending_.pop_back();
    }
    if (pending_.empty()) return State::kComplete;
  }
}

void AppendNil(std::string& out) { out += '\xc0'; }
void AppendBool(std::string& out, bool v) { out += v ? '\xc3' : '\xc2'; }

void AppendUint(std::string& out, uint64_t v) {
  if (v <= 0x7f) {
    out += static_cast<char>(v);
  } else if (v <= 0xff) {
    out += '\xcc';
    AppendBigEndian(out, v, 1);
  } else if (v <= 0xffff) {
    out += '\xcd';
    AppendBigEndian(out, v, 2);
  } else if (v <= 0xffffffffull) {
    out += '\xce';
    AppendBigEndian(out, v, 4);
  } else {
    out += '\xcf';
    AppendBigEndian(out, v, 8);
  }
}

void AppendInt(std::string& out, int64_t v) {
  if (v >= 0) return AppendUint(out, static_cast<uint64_t>(v));
  if (v >= -32) {
    out += static_cast<char>(static_cast<int8_t>(v));
  } else if (v >= INT8_MIN) {
    out += '\xd0';
    AppendBigEndian(out, static_cast<uint64_t>(v), 1);
  } else if (v >= INT16_MIN) {
    out += '\xd1';
    AppendBigEndian(out, static_cast<uint64_t>(v), 2);
  } else if (v >= INT32_MIN) {
    out += '\xd2';
    AppendBigEndian(out, static_cast<uint64_t>(v), 4);
  } else {
    out += '\xd3';
    AppendBigEndian(out, static_cast<uint64_t>(v), 8);
  }
}

void AppendDouble(std::string& out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  out += '\xcb';
  AppendBigEndian(out, bits, 8);
}

void AppendStr(std::string& out, std::string_view s) {
  if (s.size() <= 31) {
    out += static_cast<char>(0xa0 | s.size());
  } else if (s.size() <= 0xff) {
    out += '\xd9';
    AppendBigEndian(out, s.size(), 1);
  } else if (s.size() <= 0xffff) {
    out += '\xda';
    AppendBigEndian(out, s.size(), 2);
  } else {
    out += '\xdb';
    AppendBigEndian(out, s.size(), 4);
  }
  out.append(s);
}

void AppendBin(std::string& out, std::string_view b) {
  if (b.size() <= 0xff) {
    out += '\xc4';
    AppendBigEndian(out, b.size(), 1);
  } else if (b.size() <= 0xffff) {
    out += '\xc5';
    AppendBigEndian(out, b.size(), 2);
  } else {
    out += '\xc6';
    AppendBigEndian(out, b.size(), 4);
  }
  out.append(b);
}

void AppendArrayHeader(std::string& out, uint32_t n) {
  if (n <= 15) {
    out += static_cast<char>(0x90 | n);
  } else if (n <= 0xffff) {
    out += '\xdc';
    AppendBigEndian(out, n, 2);
  } else {
    out += '\xdd';
    AppendBigEndian(out, n, 4);
  }
}

void AppendMapHeader(std::string& out, uint32_t n) {
  if (n <= 15) {
    out += static_cast<char>(0x80 | n);
  } else if (n <= 0xffff) {
    out += '\xde';
    AppendBigEndian(out, n, 2);
  } else {
    out += '\xdf';
    AppendBigEndian(out, n, 4);
  }
}

void AppendExt(std::string& out, int8_t type, std::string_view payload) {
  switch (payload.size()) {
    case 1: out += '\xd4'; break;
    case 2: out += '\xd5'; break;
    case 4: out += '\xd6'; break;
    case 8: out += '\xd7'; break;
    case 16: out += '\xd8'; break;
    default:
      if (payload.size() <= 0xff) {
        out += '\xc7';
        AppendBigEndian(out, payload.size(), 1);
      } else if (payload.size() <= 0xffff) {
        out += '\xc8';
        AppendBigEndian(out, payload.size(), 2);
      } else {
        out += '\xc9';
        AppendBigEndian(out, payload.size(), 4);
      }
  }
  out += static_cast<char>(type);
  out.append(payload);
}

}  // namespace strata::common::msgpack
