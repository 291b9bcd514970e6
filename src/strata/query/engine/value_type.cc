#include "strata/query/engine/value_type.h"

#include <cctype>
#include <charconv>
#include <string>

namespace strata::query {

namespace {

bool IsInt(std::string_view v) {
  if (v.empty()) return false;
  size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0;
  if (i == v.size()) return false;
  for (; i < v.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  }
  return true;
}

bool IsFloat(std::string_view v) {
  if (v.empty()) return false;
  double d;
  const char* b = v.data() + (v[0] == '+' ? 1 : 0);
  auto [p, ec] = std::from_chars(b, v.data() + v.size(), d);
  return ec == std::errc() && p == v.data() + v.size();
}

// A number followed by a unit from `units`, repeated (durations compose: 1h30m).
bool IsNumberWithUnits(std::string_view v, std::initializer_list<std::string_view> units, bool repeat) {
  if (v.empty()) return false;
  size_t i = 0;
  if (v[0] == '-' || v[0] == '+') ++i;
  bool any = false;
  while (i < v.size()) {
    size_t start = i;
    while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) ++i;
    if (i == start) return false;
    size_t ustart = i;
    while (i < v.size() && !std::isdigit(static_cast<unsigned char>(v[i])) && v[i] != '.') ++i;
    std::string_view unit = v.substr(ustart, i - ustart);
    bool known = false;
    for (auto u : units) known = known || unit == u;
    if (!known || unit.empty()) return false;
    any = true;
    if (!repeat) return i == v.size();
  }
  return any;
}

}  // namespace

ValueType DetectValueType(std::string_view v) {
  if (v == "true" || v == "false") return ValueType::kBoolean;
  if (IsInt(v)) return ValueType::kInt;
  if (IsFloat(v)) return ValueType::kFloat;
  if (IsNumberWithUnits(v, {"ns", "us", "µs", "ms", "s", "m", "h"}, true)) return ValueType::kDuration;
  if (IsNumberWithUnits(v, {"B", "kB", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB", "b", "kb",
                            "mb", "gb", "tb", "kib", "mib", "gib"},
                        false)) {
    return ValueType::kBytes;
  }
  return ValueType::kString;
}

ValueType MergeValueTypes(ValueType a, ValueType b) {
  if (a == b) return a;
  if ((a == ValueType::kInt && b == ValueType::kFloat) || (a == ValueType::kFloat && b == ValueType::kInt)) {
    return ValueType::kFloat;
  }
  return ValueType::kString;
}

const char* ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kBoolean: return "boolean";
    case ValueType::kInt: return "int";
    case ValueType::kFloat: return "float";
    case ValueType::kDuration: return "duration";
    case ValueType::kBytes: return "bytes";
    case ValueType::kString: return "string";
  }
  return "string";
}

}  // namespace strata::query
