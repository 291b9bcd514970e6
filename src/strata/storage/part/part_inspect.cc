#include "strata/storage/part/part_inspect.h"

#include <cstdio>
#include <map>

#include "strata/model/time_format.h"

namespace strata::storage {
namespace {

std::string Fmt(const char* fmt, double a, double b = 0, double c = 0) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), fmt, a, b, c);
  return buf;
}

std::string Pct(uint64_t part, uint64_t whole) {
  return whole ? Fmt("%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "-";
}

}  // namespace

std::string InspectPart(const PartReader& part, bool list_blocks) {
  const PartMeta& m = part.meta();
  std::string out;
  out += "part " + part.path() + "\n";
  out += "  id " + std::to_string(m.part_id) + ", tenant " + m.tenant + ", day " + std::to_string(m.day) +
         ", level " + std::to_string(m.level) + ", wal_seq_end " + std::to_string(m.wal_seq_end) + "\n";
  out += "  time " + model::FormatRfc3339Nanos(m.min_ts) + " .. " + model::FormatRfc3339Nanos(m.max_ts) + "\n";
  out += "  rows " + std::to_string(m.rows) + ", streams " + std::to_string(part.streams().size()) + ", blocks " +
         std::to_string(part.blocks().size()) + ", columns " + std::to_string(part.column_names().size()) + "\n";
  out += "  file " + std::to_string(part.file_size()) + " bytes, raw " + std::to_string(m.raw_bytes) +
         " bytes, compression " +
         (part.file_size() ? Fmt("%.2fx", static_cast<double>(m.raw_bytes) / static_cast<double>(part.file_size()))
                           : std::string("-")) +
         "\n";
  if (!m.replaces.empty()) {
    out += "  replaces";
    for (uint64_t id : m.replaces) out += " " + std::to_string(id);
    out += "\n";
  }

  struct ColumnUse {
    uint64_t stored = 0, raw = 0, bloom = 0, blocks = 0;  // bloom: bloom and trigram filter bytes
    std::map<std::string, uint64_t> types;
  };
  std::map<uint32_t, ColumnUse> use;
  ColumnUse ts;
  for (const auto& b : part.blocks()) {
    ts.stored += b.timestamps.stored_len;
    ts.raw += b.timestamps.raw_len;
    ++ts.blocks;
    for (const auto& c : b.columns) {
      auto& u = use[c.column_id];
      u.stored += c.chunk.stored_len;
      u.raw += c.chunk.raw_len;
      u.bloom += c.bloom.size() + c.trigrams.size();
      ++u.blocks;
      ++u.types[std::string(ColumnTypeName(c.type))];
    }
  }
  const uint64_t file = part.file_size();
  out += "\n  column                         blocks    stored bytes  share   encoded bytes  filter bytes  encodings\n";
  auto row = [&](const std::string& name, const ColumnUse& u) {
    char buf[512];
    std::string types;
    for (const auto& [t, n] : u.types) types += (types.empty() ? "" : ",") + t + ":" + std::to_string(n);
    std::snprintf(buf, sizeof(buf), "  %-30s %6llu %15llu %6s %15llu %13llu  %s\n", name.c_str(),
                  static_cast<unsigned long long>(u.blocks), static_cast<unsigned long long>(u.stored),
                  Pct(u.stored, file).c_str(), static_cast<unsigned long long>(u.raw),
                  static_cast<unsigned long long>(u.bloom), types.c_str());
    out += buf;
  };
  row("_time", ts);
  for (const auto& [id, u] : use) row(part.column_names()[id], u);
  const auto& f = part.footer();
  out += "\n  sections: meta " + std::to_string(f.meta.length) + ", streams " + std::to_string(f.streams.length) +
         ", columns " + std::to_string(f.columns.length) + ", block headers " + std::to_string(f.blocks.length) +
         " (" + Pct(f.blocks.length, file) + "), token index " + std::to_string(f.tokens.length) + " (" +
         Pct(f.tokens.length, file) + ", " + std::to_string(part.tokens().key_count()) + " keys)\n";
  out += "\n  streams\n";
  for (const auto& s : part.streams()) out += "    " + s.id.ToHex() + " " + model::LabelsToString(s.labels) + "\n";
  if (list_blocks) {
    out += "\n  blocks\n";
    for (size_t i = 0; i < part.blocks().size(); ++i) {
      const auto& b = part.blocks()[i];
      out += "    #" + std::to_string(i) + " stream " + std::to_string(b.stream) + " rows " + std::to_string(b.rows) +
             " " + model::FormatRfc3339Nanos(b.min_ts) + " .. " + model::FormatRfc3339Nanos(b.max_ts) + "\n";
    }
  }
  return out;
}

}  // namespace strata::storage
