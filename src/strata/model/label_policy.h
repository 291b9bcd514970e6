#pragma once
// LabelPolicy: which input keys become stream labels (indexed exactly) rather than fields, and the aliases that
// fold several input spellings into one label name (hostname -> host). Immutable after construction; shared
// read-only between threads.

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace strata::model {

class LabelPolicy {
 public:
  // The defaults of the native schema: service, env, host, instance, level; hostname is an alias of host.
  LabelPolicy();
  explicit LabelPolicy(const std::vector<std::string>& label_names);

  // The label name for an input key, or empty when the key is not a label.
  std::string_view LabelFor(std::string_view key) const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::unordered_set<std::string> set_;
  std::unordered_map<std::string, std::string> aliases_;
};

}  // namespace strata::model
