#include "strata/model/stream_id.h"

#include <cstdio>

#include "strata/common/hash.h"

namespace strata::model {

std::string StreamId::ToHex() const {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

StreamId StreamIdOf(const LabelSet& labels) {
  // Length-prefixed names and values: no separator byte can make two label sets collide by construction.
  std::string canonical;
  for (const auto& l : labels) {
    canonical += std::to_string(l.name.size()) + ':' + l.name + std::to_string(l.value.size()) + ':' + l.value;
  }
  return {common::Hash64(canonical, 0x5354524154413031ULL), common::Hash64(canonical, 0x73747265616d4944ULL)};
}

std::string LabelsToString(const LabelSet& labels) {
  std::string s = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) s += ", ";
    s += labels[i].name + "=\"";
    for (char c : labels[i].value) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    s += '"';
  }
  return s + "}";
}

}  // namespace strata::model
