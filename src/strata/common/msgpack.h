#pragma once
// A minimal MessagePack decoder (https://github.com/msgpack/msgpack/blob/master/spec.md), written for untrusted
// input (the Fluentd forward protocol).
//
// Every format family is decoded: nil, bool, positive/negative fixint, uint 8-64, int 8-64, float 32/64,
// fixstr/str 8-32, bin 8-32, fixarray/array 16/32, fixmap/map 16/32, fixext 1-16 and ext 8-32. The reserved byte
// 0xc1 is an error.
//
// Bounds: a Value nests at most Limits::max_depth non-empty containers and holds at most Limits::max_elements values in
// all (so a 5-byte "array of 4 billion" header costs nothing: memory is reserved only as elements arrive, and each
// element needs at least one input byte). Lengths are checked against the remaining input before anything is
// read. Errors are InvalidArgument ("msgpack: ... at offset N"); a value cut short is the distinct
// kIncomplete outcome of Scanner, and InvalidArgument "msgpack: truncated ..." for the one-shot decoders.
//
// Ownership: a Value *borrows* from the input: str, bin and ext payloads are string_views into the decoded
// buffer, which must outlive the Value. Pure functions and value types; thread-compatible.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/base/status.h"

namespace strata::common::msgpack {

enum class Type : uint8_t { kNil, kBool, kInt, kUint, kFloat, kStr, kBin, kArray, kMap, kExt };

std::string_view TypeName(Type type);

struct Value {
  Type type = Type::kNil;
  bool boolean = false;
  int64_t int_value = 0;    // kInt: negative integers only (non-negative ones are kUint)
  uint64_t uint_value = 0;  // kUint
  double float_value = 0;   // kFloat (float 32 widened)
  int8_t ext_type = 0;      // kExt
  std::string_view bytes;   // kStr, kBin, kExt payload (borrowed from the input)
  // kArray: the elements. kMap: keys and values alternating (key0, value0, key1, value1, ...).
  std::vector<Value> items;

  bool is_nil() const { return type == Type::kNil; }
  bool is_str() const { return type == Type::kStr; }
  bool is_array() const { return type == Type::kArray; }
  bool is_map() const { return type == Type::kMap; }
  bool is_integer() const { return type == Type::kInt || type == Type::kUint; }
  size_t map_size() const { return items.size() / 2; }
  const Value& map_key(size_t i) const { return items[2 * i]; }
  const Value& map_value(size_t i) const { return items[2 * i + 1]; }
  // The value of the first key that is a str equal to key, or nullptr.
  const Value* Find(std::string_view key) const;
};

struct Limits {
  int max_depth = 64;             // containers nested within one value
  size_t max_elements = 1 << 20;  // values (containers and scalars, keys included) in one decoded value
};

// Decodes one value from the start of input; *consumed (optional) receives its length in bytes. Bytes after the
// value are left alone.
base::Result<Value> Decode(std::string_view input, size_t* consumed, const Limits& limits = {});

// Decodes a value that must span the whole input.
base::Result<Value> DecodeExact(std::string_view input, const Limits& limits = {});

// Cursor helpers, to walk a large value element by element (memory bounded per element, not per message):
// PeekType reports the type of the value at `pos`; ReadArrayHeader reads an array header at *pos and advances past
// it, returning the element count (an error if the value there is not an array); DecodeAt decodes the value at
// *pos and advances past it.
base::Result<Type> PeekType(std::string_view input, size_t pos);
base::Result<uint64_t> ReadArrayHeader(std::string_view input, size_t* pos);
base::Result<Value> DecodeAt(std::string_view input, size_t* pos, const Limits& limits = {});

// Scanner: finds where one value ends in a growing buffer (a TCP stream) without building it, resumably: each
// call continues from where the previous one stopped, so a value arriving in many reads is walked once (O(n)).
// Checks the format byte and nesting depth only; Decode() validates the value afterwards.
// Use: append to the buffer, call Scan(buffer); on kComplete the value is buffer[0, end()); call Reset() before
// scanning the next value (after dropping the consumed bytes from the buffer).
class Scanner {
 public:
  enum class State { kIncomplete, kComplete, kError };
  explicit Scanner(int max_depth = 64) : max_depth_(max_depth) {}

  State Scan(std::string_view buffer);
  size_t end() const { return pos_; }
  const std::string& error() const { return error_; }
  void Reset();

 private:
  int max_depth_;
  size_t pos_ = 0;
  std::vector<uint64_t> pending_;  // per open container: values still to come
  bool started_ = false;
  std::string error_;
};

// Encoding helpers (tests, acks, clients). Each appends one value.
void AppendNil(std::string& out);
void AppendBool(std::string& out, bool v);
void AppendInt(std::string& out, int64_t v);
void AppendUint(std::string& out, uint64_t v);
void AppendDouble(std::string& out, double v);
void AppendStr(std::string& out, std::string_view s);
void AppendBin(std::string& out, std::string_view b);
void AppendArrayHeader(std::string& out, uint32_t n);
void AppendMapHeader(std::string& out, uint32_t n);
void AppendExt(std::string& out, int8_t type, std::string_view payload);

}  // namespace strata::common::msgpack
