#pragma once
// LabelsBuilder: the labels of one log entry while it moves through a LogQL pipeline, each label tagged with where
// it came from (stream labels, structured metadata, parsed by a pipeline stage), because Loki's results depend on
// it: the `categorize-labels` encoding reports the three apart, and name collisions resolve by source.
//
// Collisions (Loki's rules): the plain name belongs to the highest-precedence source, stream > structured metadata
// > parsed; a value that loses goes to `<name>_extracted`. A parser extracting the same key twice keeps the first
// value within one stage. `__error__` and `__error_details__` are ordinary parsed labels set through SetError.
//
// Reset() per entry is cheap (vectors are reused). Not thread-safe: one builder per worker.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/model/log_record.h"

namespace strata::query {

enum class LabelSource : uint8_t { kStream, kStructuredMetadata, kParsed };

class LabelsBuilder {
 public:
  // Starts a new entry: the stream's labels, then its structured metadata (fields), neither owned.
  void Reset(const model::LabelSet& stream);
  void AddStructuredMetadata(std::string_view name, std::string_view value);

  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  // Sets a label from `source` applying the collision rules above (for kParsed: replaces an existing parsed value
  // only when `overwrite`; parsers pass false for repeated keys within a stage, label_format passes true).
  void Set(LabelSource source, std::string_view name, std::string_view value, bool overwrite = true);
  // Removes the label whatever its source.
  void Delete(std::string_view name);
  // Keeps only labels for which keep(name, value) is true.
  template <typename Pred>
  void RetainIf(Pred keep) {
    std::erase_if(labels_, [&](const Entry& e) { return !keep(e.name, e.value); });
  }

  void SetError(std::string_view error, std::string_view details = {});
  bool HasError() const { return Has("__error__"); }

  // All labels, sorted by name (the Loki result stream without categorize-labels).
  model::LabelSet All() const;
  // Labels of one source, sorted by name.
  model::LabelSet Of(LabelSource source) const;
  // Only the stream labels remain unchanged by the pipeline? (lets executors reuse a per-stream key)
  bool Changed() const { return changed_; }

  struct Entry {
    std::string name;
    std::string value;
    LabelSource source;
  };
  const std::vector<Entry>& entries() const { return labels_; }

 private:
  std::vector<Entry> labels_;
  bool changed_ = false;
};

}  // namespace strata::query
