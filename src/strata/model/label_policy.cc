#include "strata/model/label_policy.h"

namespace strata::model {

LabelPolicy::LabelPolicy() : LabelPolicy({"service", "env", "host", "instance", "level"}) {}

LabelPolicy::LabelPolicy(const std::vector<std::string>& label_names) : names_(label_names) {
  for (const auto& n : names_) set_.insert(n);
  if (set_.count("host")) aliases_["hostname"] = "host";
}

std::string_view LabelPolicy::LabelFor(std::string_view key) const {
  auto it = set_.find(std::string(key));
  if (it != set_.end()) return *it;
  auto al = aliases_.find(std::string(key));
  if (al != aliases_.end()) return al->second;
  return {};
}

}  // namespace strata::model
