#pragma once
// Type of a field value as Loki's detected_fields reports it: boolean, int, float, duration, bytes or string.
#include <string_view>

namespace strata::query {

enum class ValueType { kBoolean, kInt, kFloat, kDuration, kBytes, kString };

ValueType DetectValueType(std::string_view v);
// The narrowest type covering both (int + float = float; anything else mixed = string).
ValueType MergeValueTypes(ValueType a, ValueType b);
const char* ValueTypeName(ValueType t);

}  // namespace strata::query
