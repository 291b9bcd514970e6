#pragma once
// LabelsBuilder: the labels of one log entry while it moves through a LogQL pipeline, each label tagged with where
// it came from (stream labels, structured metadata, parsed by a pipeline stage), because Loki's results depend on
// it: the `categorize-labels` encoding reports the three apart, and name collisions resolve by source.
//
// Collisions (Loki's rules): the plain name belongs to the highest-precedence source, stream > structured metadata
// > parsed; a value that loses goes to `<name>_extracted`. A parser extracting the same key twice keeps the first
// value within one stage. `__error__` and `__error_details__` are ordinary parsed labels set through SetError.
//
// Reset() per entry is cheap: removed entries go to a spare list and are reused with their string capacity, so a
// steady stream of entries allocates nothing. Labels are kept sorted by name (unique names). Not thread-safe: one
// builder per worker.

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
  // only when `overwrite`, or when that value was set before the current BeginStage(); parsers pass false so that
  // a key repeated within one stage keeps its first value while a later stage still replaces it).
  void Set(LabelSource source, std::string_view name, std::string_view value, bool overwrite = true);
  // Sets the plain `name` whatever holds it now (label_format: "forcefully override the original label").
  void Replace(LabelSource source, std::string_view name, std::string_view value);
  // Marks the start of a parser stage (see Set).
  void BeginStage() { ++stage_; }
  // Where `name` comes from, if present.
  std::optional<LabelSource> SourceOf(std::string_view name) const;
  // Removes the label whatever its source.
  void Delete(std::string_view name);
  // Keeps only labels for which keep(name, value) is true.
  template <typename Pred>
  void RetainIf(Pred keep) {
    size_t out = 0;
    for (size_t i = 0; i < labels_.size(); ++i) {
      if (keep(std::string_view(labels_[i].name), std::string_view(labels_[i].value))) {
        if (out != i) std::swap(labels_[out], labels_[i]);
        ++out;
      } else {
        changed_ = true;
      }
    }
    while (labels_.size() > out) Recycle();
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
    uint32_t stage = 0;  // the BeginStage() generation that set a parsed value
  };
  const std::vector<Entry>& entries() const { return labels_; }

 private:
  // Index of `name` in labels_, or the insertion point with found = false.
  size_t Find(std::string_view name, bool* found) const;
  void InsertAt(size_t pos, LabelSource source, std::string_view name, std::string_view value);
  // Places a value that lost the plain name into `<name>_extracted` (opposite precedence).
  void SpillExtracted(LabelSource source, std::string_view name, std::string_view value, bool overwrite);
  // Moves the last entry to the spare list.
  void Recycle() {
    spare_.push_back(std::move(labels_.back()));
    labels_.pop_back();
  }

  std::vector<Entry> labels_;
  std::vector<Entry> spare_;
  std::string scratch_;  // `<name>_extracted`
  uint32_t stage_ = 0;
  bool changed_ = false;
};

}  // namespace strata::query
