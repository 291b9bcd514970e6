#pragma once
// LogRecord and LogBatch: the shared vocabulary of every layer from the front ends to the storage engine.
//
// A record belongs to exactly one tenant (carried by its batch) and one stream: the stream is its sorted label
// set. Everything that is not a label is a field (flattened `a.b.c` names) or the message.
// Value types; no thread-safety concerns.

#include <cstdint>
#include <string>
#include <vector>

namespace strata::model {

struct Field {
  std::string name;
  std::string value;
  bool operator==(const Field&) const = default;
  auto operator<=>(const Field&) const = default;
};

// Labels sorted by name with unique names: the canonical form that identifies a stream.
using LabelSet = std::vector<Field>;

struct LogRecord {
  int64_t timestamp_ns = 0;
  LabelSet labels;
  std::string message;
  std::vector<Field> fields;  // input order, unique names

  // Approximate in-memory/raw size used for limits and metering: label, message and field bytes.
  size_t RawBytes() const;
  bool operator==(const LogRecord&) const = default;
};

struct LogBatch {
  std::string tenant;
  std::vector<LogRecord> records;
};

// Sorts labels by name; on duplicate names the last one wins.
void CanonicalizeLabels(LabelSet& labels);

}  // namespace strata::model
