#pragma once
// How `strata query` and `strata tail` print what the server sent, in logcli's output modes:
//   table  2026-02-01T10:00:00Z {app="x", env="prod"} line        (logcli's default; labels padded per batch)
//   raw    line
//   json   {"labels":{"app":"x"},"line":"line","timestamp":"2026-02-01T10:00:00.5Z"}   (logcli -o jsonl)
// Times are printed in UTC. Pure functions; thread-safe.

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/loki_response.h"
#include "strata/base/status.h"

namespace strata::cli {

enum class OutputMode { kTable, kRaw, kJson };

// "table" (alias "default"), "raw", "json" (alias "jsonl").
base::Result<OutputMode> ParseOutputMode(std::string_view name);

// {a="x", b="y"}: sorted, Go-quoted values, as logcli and Prometheus print a label set.
std::string FormatLabels(const Labels& labels);
// Go's time.RFC3339 (whole seconds) and time.RFC3339Nano (fraction with trailing zeros removed), in UTC.
std::string FormatRfc3339Seconds(int64_t ns);
std::string FormatRfc3339NanoTrimmed(int64_t ns);

// One log entry with the labels of its stream.
struct PrintedEntry {
  const Labels* labels;
  const LogEntry* entry;
};

// Prints entries in the given order, one line each. In table mode the label column is padded to the widest label
// set of this batch, so consecutive lines of one batch align.
void PrintEntries(std::ostream& out, OutputMode mode, const std::vector<PrintedEntry>& entries);

// Prints a metric result (matrix, vector or scalar):
//   table  one line per sample: `<RFC3339> {labels} <value>`
//   json   the series as indented JSON, as `logcli query` prints a matrix
//   raw    the same JSON on one line
void PrintSeries(std::ostream& out, OutputMode mode, const std::vector<Series>& series);

}  // namespace strata::cli
