#include "strata/query/engine/value_type.h"

#include <cctype>
#include <string>

#include "strata/query/pipeline/value_parse.h"

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

}  // namespace

// The same conversions the typed label filters apply (Go's ParseFloat, ParseDuration, humanize's ParseBytes).
ValueType DetectValueType(std::string_view v) {
  if (v == "true" || v == "false") return ValueType::kBoolean;
  if (IsInt(v)) return ValueType::kInt;
  double d;
  if (values::ParseGoFloat(v, &d)) return ValueType::kFloat;
  int64_t ns;
  if (values::ParseGoDuration(v, &ns)) return ValueType::kDuration;
  uint64_t bytes;
  if (values::ParseHumanBytes(v, &bytes)) return ValueType::kBytes;
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
