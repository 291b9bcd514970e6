#include "strata/ingest/elasticsearch/bulk_decoder.h"

#include <simdjson.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>

#include "strata/common/json_writer.h"
#include "strata/model/time_format.h"

namespace strata::ingest::elasticsearch {
namespace {

namespace dom = simdjson::dom;

constexpr std::string_view kEmptyBody = "request body is required";
constexpr std::string_view kNoTrailingNewline = "The bulk request must be terminated by a newline [\\n]";

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// One line of the body with its 1-based line number.
struct Line {
  std::string_view text;
  size_t number;
};

std::vector<Line> SplitLines(std::string_view body) {
  std::vector<Line> lines;
  size_t number = 0;
  while (!body.empty()) {
    const size_t nl = body.find('\n');  // the body ends with '\n', so there always is one
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!IsBlank(line)) lines.push_back({line, number});
  }
  return lines;
}

// A flattened document member: dotted name, text, and whether the JSON value was a string / number / array.
// Top-level names and string values are views into the parsed document (valid until the next parse); nested names
// and non-string texts are owned. The views are resolved on access, so moving a Flat is safe.
struct Flat {
  std::string_view key;     // the name when owned_name is empty
  std::string owned_name;   // dotted name of a nested member
  std::string_view string;  // the value of a JSON string
  std::string owned_value;  // the text of any other value
  dom::element_type type;

  std::string_view name() const { return owned_name.empty() ? key : std::string_view(owned_name); }
  std::string_view value() const { return type == dom::element_type::STRING ? string : std::string_view(owned_value); }
};

std::string ScalarText(dom::element e) {
  switch (e.type()) {
    case dom::element_type::STRING: return std::string(std::string_view(e.get_string().value_unsafe()));
    case dom::element_type::BOOL: return e.get_bool().value_unsafe() ? "true" : "false";
    case dom::element_type::INT64: return std::to_string(e.get_int64().value_unsafe());
    case dom::element_type::UINT64: return std::to_string(e.get_uint64().value_unsafe());
    default: return simdjson::minify(e);  // doubles, arrays, objects: minified JSON
  }
}

void Flatten(dom::object object, std::string& prefix, std::vector<Flat>& out) {
  for (auto [key, value] : object) {
    if (value.is_null()) continue;
    const dom::element_type type = value.type();
    if (type != dom::element_type::OBJECT) {
      Flat& f = out.emplace_back();
      f.type = type;
      if (prefix.empty()) {
        f.key = key;
      } else {
        f.owned_name.reserve(prefix.size() + 1 + key.size());
        f.owned_name.append(prefix).append(1, '.').append(key);
      }
      if (type == dom::element_type::STRING) {
        f.string = value.get_string().value_unsafe();
      } else {
        f.owned_value = ScalarText(value);
      }
      continue;
    }
    const size_t size = prefix.size();
    if (!prefix.empty()) prefix += '.';
    prefix.append(key);
    Flatten(value.get_object().value_unsafe(), prefix, out);
    prefix.resize(size);
  }
}

// Last value wins for a repeated name, at the position of its first occurrence. Documents have a few dozen members
// at most as a rule: compare pairwise, and use a map only for long lists.
void Dedupe(std::vector<Flat>& flat) {
  if (flat.size() < 2) return;
  auto take_value = [](Flat& into, Flat& from) {
    into.string = from.string;
    into.owned_value = std::move(from.owned_value);
    into.type = from.type;
  };
  size_t kept = 0;
  if (flat.size() <= 32) {
    for (size_t i = 0; i < flat.size(); ++i) {
      size_t j = 0;
      while (j < kept && flat[j].name() != flat[i].name()) ++j;
      if (j < kept) {
        take_value(flat[j], flat[i]);
      } else if (kept++ != i) {
        flat[kept - 1] = std::move(flat[i]);
      }
    }
  } else {
    std::unordered_map<std::string, size_t> at;
    for (size_t i = 0; i < flat.size(); ++i) {
      auto [it, inserted] = at.emplace(std::string(flat[i].name()), kept);
      if (!inserted) {
        take_value(flat[it->second], flat[i]);
      } else if (kept++ != i) {
        flat[kept - 1] = std::move(flat[i]);
      }
    }
  }
  flat.resize(kept);
}

std::string PreviewOf(std::string_view v) {
  return std::string(v.substr(0, 100)) + (v.size() > 100 ? "..." : "");
}

std::optional<BulkAction> ActionFor(std::string_view name) {
  if (name == "index") return BulkAction::kIndex;
  if (name == "create") return BulkAction::kCreate;
  if (name == "delete") return BulkAction::kDelete;
  if (name == "update") return BulkAction::kUpdate;
  return std::nullopt;
}

struct ParsedAction {
  BulkAction action = BulkAction::kIndex;
  std::string index;
  std::string id;
  std::string error;  // non-empty: malformed
};

class BulkDecoder {
 public:
  // body: the whole request; lines far enough from its end are parsed in place (the bytes after them are padding).
  BulkDecoder(const BulkOptions& options, std::string_view body) : options_(options), body_(body) {
    for (const auto& name : options_.label_fields) label_names_.push_back(LabelNameFor(name));
  }

  ParsedAction ParseAction(const Line& line) {
    ParsedAction a;
    const std::string where = "Malformed action/metadata line [" + std::to_string(line.number) + "], ";
    dom::element root;
    if (Parse(line.text, root) != simdjson::SUCCESS) {
      a.error = where + "expected a JSON object such as {\"create\":{}}: not valid JSON";
      return a;
    }
    dom::object obj;
    if (root.get_object().get(obj)) {
      a.error = where + "expected START_OBJECT but found a JSON " + TypeName(root.type());
      return a;
    }
    if (obj.size() != 1) {
      a.error = where + "expected exactly one action field but found " + std::to_string(obj.size());
      return a;
    }
    auto [key, meta] = *obj.begin();
    auto action = ActionFor(key);
    if (!action) {
      a.error = where + "expected field [create], [delete], [index] or [update] but found [" + std::string(key) + "]";
      return a;
    }
    a.action = *action;
    dom::object m;
    if (meta.get_object().get(m)) {
      a.error = where + "expected START_OBJECT after [" + std::string(key) + "]";
      return a;
    }
    for (auto [mk, mv] : m) {
      if (mk == "_index" || mk == "_id") {
        std::string value;
        std::string_view s;
        if (!mv.get_string().get(s)) {
          value.assign(s);
        } else if (mv.is_int64() || mv.is_uint64()) {
          value = ScalarText(mv);
        } else if (!mv.is_null()) {
          a.error = where + "[" + std::string(mk) + "] must be a string";
          return a;
        }
        (mk == "_index" ? a.index : a.id) = std::move(value);
      }
    }
    if (a.index.empty()) a.index = options_.default_index;
    return a;
  }

  bool IsValidAction(const Line& line) { return ParseAction(line).error.empty(); }

  // Maps a source document to a record, or fills the item's error.
  void MapSource(const Line& line, BulkItem& item, BulkDecodeResult& result) {
    if (line.text.size() > options_.max_line_bytes) {
      return Fail(item, "illegal_argument_exception",
                  "line too long: " + std::to_string(line.text.size()) + " bytes > limit " +
                      std::to_string(options_.max_line_bytes));
    }
    dom::element root;
    if (auto error = Parse(line.text, root)) {
      return Fail(item, "mapper_parsing_exception",
                  "failed to parse: line [" + std::to_string(line.number) + "]: " + simdjson::error_message(error));
    }
    dom::object obj;
    if (root.get_object().get(obj)) {
      return Fail(item, "mapper_parsing_exception",
                  "failed to parse: line [" + std::to_string(line.number) + "]: expected a JSON object but found a " +
                      TypeName(root.type()));
    }
    std::vector<Flat>& flat = flat_;
    flat.clear();
    std::string prefix;
    Flatten(obj, prefix, flat);
    Dedupe(flat);

    model::LogRecord record;
    record.timestamp_ns = options_.receive_time_ns;
    std::vector<bool> used(flat.size(), false);
    auto find = [&](std::string_view name) -> int {
      for (size_t i = 0; i < flat.size(); ++i) {
        if (!used[i] && flat[i].name() == name) return static_cast<int>(i);
      }
      return -1;
    };
    for (const auto& name : options_.message_fields) {
      if (int i = find(name); i >= 0) {
        record.message.assign(flat[i].value());
        used[i] = true;
        break;
      }
    }
    for (const auto& name : options_.time_fields) {
      int i = find(name);
      if (i < 0) continue;
      used[i] = true;
      const Flat& f = flat[i];
      base::Result<int64_t> ts = base::InvalidArgument("");
      if (f.type == dom::element_type::STRING) {
        ts = model::ParseTimestamp(f.value());
      } else if (f.type == dom::element_type::INT64) {
        ts = model::EpochIntegerToNanos(std::stoll(f.owned_value));
      } else if (f.type == dom::element_type::DOUBLE) {
        ts = model::ParseTimestamp(f.value());  // minified text: decimal or exponent form
        if (!ts.ok()) ts = model::EpochToNanos(std::strtod(f.owned_value.c_str(), nullptr));
      }
      if (!ts.ok()) {
        return Fail(item, "mapper_parsing_exception",
                    "failed to parse field [" + std::string(f.name()) + "] of type [date] in document at line [" +
                        std::to_string(line.number) + "]. Preview of field's value: '" + PreviewOf(f.value()) + "'");
      }
      record.timestamp_ns = *ts;
      break;
    }
    for (size_t n = 0; n < options_.label_fields.size(); ++n) {
      const std::string& name = options_.label_fields[n];
      if (name == "_index") {
        if (!item.index.empty()) record.labels.push_back({label_names_[n], item.index});
        continue;
      }
      int i = find(name);
      if (i < 0 || flat[i].type == dom::element_type::ARRAY || flat[i].value().empty()) continue;
      used[i] = true;
      record.labels.push_back({label_names_[n], std::string(flat[i].value())});
    }
    record.fields.reserve(flat.size());
    for (size_t i = 0; i < flat.size(); ++i) {
      if (!used[i]) record.fields.push_back({std::string(flat[i].name()), std::string(flat[i].value())});
    }
    model::CanonicalizeLabels(record.labels);
    const size_t raw = record.RawBytes();
    if (raw > options_.max_line_bytes) {
      return Fail(item, "illegal_argument_exception",
                  "line too long: " + std::to_string(raw) + " bytes > limit " +
                      std::to_string(options_.max_line_bytes));
    }
    if (record.fields.size() > options_.max_fields) {
      return Fail(item, "illegal_argument_exception",
                  "too many fields: " + std::to_string(record.fields.size()) + " > limit " +
                      std::to_string(options_.max_fields));
    }
    item.record = result.records.size();
    result.records.push_back(std::move(record));
  }

  static void Fail(BulkItem& item, std::string type, std::string reason) {
    item.status = 400;
    item.error_type = std::move(type);
    item.error_reason = std::move(reason);
  }

 private:
  static std::string TypeName(dom::element_type t) {
    switch (t) {
      case dom::element_type::ARRAY: return "array";
      case dom::element_type::OBJECT: return "object";
      case dom::element_type::STRING: return "string";
      case dom::element_type::BOOL: return "boolean";
      case dom::element_type::NULL_VALUE: return "null";
      default: return "number";
    }
  }

  simdjson::error_code Parse(std::string_view text, dom::element& root) {
    // simdjson may read up to SIMDJSON_PADDING bytes past the text (their content does not matter): the rest of
    // the body serves, so only the last lines are copied.
    const char* body_end = body_.data() + body_.size();
    if (text.data() >= body_.data() && text.data() + text.size() + simdjson::SIMDJSON_PADDING <= body_end) {
      return parser_.parse(text.data(), text.size(), false).get(root);
    }
    buffer_.assign(text);
    buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
    return parser_.parse(buffer_.data(), text.size(), false).get(root);
  }

  const BulkOptions& options_;
  const std::string_view body_;
  std::vector<std::string> label_names_;  // LabelNameFor of each of options_.label_fields
  std::vector<Flat> flat_;                // the current document's members, reused
  dom::parser parser_;
  std::string buffer_;
};

}  // namespace

std::string_view ActionName(BulkAction action) {
  switch (action) {
    case BulkAction::kIndex: return "index";
    case BulkAction::kCreate: return "create";
    case BulkAction::kDelete: return "delete";
    case BulkAction::kUpdate: return "update";
  }
  return "index";
}

std::string LabelNameFor(std::string_view field) {
  if (field == "_index") return "index";
  std::string out(field);
  for (char& c : out) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  }
  return out;
}

base::Result<BulkDecodeResult> DecodeBulk(std::string_view body, const BulkOptions& options) {
  if (body.empty()) return base::InvalidArgument(std::string(kEmptyBody));
  if (body.back() != '\n') return base::InvalidArgument(std::string(kNoTrailingNewline));

  const std::vector<Line> lines = SplitLines(body);
  BulkDecodeResult result;
  BulkDecoder decoder(options, body);
  for (size_t i = 0; i < lines.size();) {
    const Line& action_line = lines[i++];
    ParsedAction parsed = decoder.ParseAction(action_line);
    BulkItem item;
    item.action = parsed.action;
    item.index = std::move(parsed.index);
    item.id = std::move(parsed.id);
    if (!parsed.error.empty()) {
      item.action = BulkAction::kIndex;
      item.index = options.default_index;
      BulkDecoder::Fail(item, "illegal_argument_exception", std::move(parsed.error));
      // Resync: the next line is this bad action's source unless it is itself an action.
      if (i < lines.size() && !decoder.IsValidAction(lines[i])) ++i;
      result.items.push_back(std::move(item));
      continue;
    }
    switch (item.action) {
      case BulkAction::kDelete:
        BulkDecoder::Fail(item, "illegal_argument_exception",
                          "delete is not supported: Strata stores logs immutably; use the delete API "
                          "(POST /api/v1/delete) to remove logs");
        break;
      case BulkAction::kUpdate:
        if (i < lines.size()) ++i;  // its {doc|upsert|script} line
        BulkDecoder::Fail(item, "illegal_argument_exception",
                          "update is not supported: Strata stores logs immutably; send new documents with index or "
                          "create");
        break;
      case BulkAction::kIndex:
      case BulkAction::kCreate:
        if (i >= lines.size()) {
          BulkDecoder::Fail(item, "action_request_validation_exception",
                            "Validation Failed: 1: the " + std::string(ActionName(item.action)) + " action at line [" +
                                std::to_string(action_line.number) + "] has no source document;");
          break;
        }
        decoder.MapSource(lines[i++], item, result);
        break;
    }
    result.items.push_back(std::move(item));
  }
  return result;
}

std::string FormatBulkResponse(const std::vector<BulkItem>& items, int64_t took_ms) {
  bool errors = false;
  for (const auto& item : items) errors |= item.status >= 300;
  std::string out = "{\"took\":" + std::to_string(took_ms) + ",\"errors\":" + (errors ? "true" : "false") +
                    ",\"items\":[";
  size_t seq = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const BulkItem& item = items[i];
    if (i) out += ',';
    out += "{\"";
    out += ActionName(item.action);
    out += "\":{\"_index\":";
    common::AppendJsonString(out, item.index);
    out += ",\"_id\":";
    if (item.id.empty()) {
      out += "null";
    } else {
      common::AppendJsonString(out, item.id);
    }
    if (item.status < 300) {
      out += ",\"_version\":1,\"result\":\"created\",\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0}";
      out += ",\"_seq_no\":" + std::to_string(seq++) + ",\"_primary_term\":1";
      out += ",\"status\":" + std::to_string(item.status) + "}}";
    } else {
      out += ",\"status\":" + std::to_string(item.status) + ",\"error\":{\"type\":";
      common::AppendJsonString(out, item.error_type);
      out += ",\"reason\":";
      common::AppendJsonString(out, item.error_reason);
      out += ",\"index\":";
      common::AppendJsonString(out, item.index);
      out += ",\"shard\":\"0\",\"index_uuid\":\"_na_\"}}}";
    }
  }
  out += "]}";
  return out;
}

std::string FormatErrorBody(int status, std::string_view type, std::string_view reason) {
  std::string cause = "{\"type\":";
  common::AppendJsonString(cause, type);
  cause += ",\"reason\":";
  common::AppendJsonString(cause, reason);
  cause += "}";
  std::string out = "{\"error\":{\"root_cause\":[" + cause + "],\"type\":";
  common::AppendJsonString(out, type);
  out += ",\"reason\":";
  common::AppendJsonString(out, reason);
  out += "},\"status\":" + std::to_string(status) + "}";
  return out;
}

std::string GenerateDocumentId() {
  static const uint64_t seed = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  static std::atomic<uint64_t> counter{0};
  const auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  const uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  // 120 bits: 42 bits of ms time, 40 bits of counter, 38 bits of seed; 20 base64url characters of 6 bits.
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned __int128 bits = (static_cast<unsigned __int128>(now & ((1ull << 42) - 1)) << 78) |
                           (static_cast<unsigned __int128>(n & ((1ull << 40) - 1)) << 38) |
                           static_cast<unsigned __int128>(seed & ((1ull << 38) - 1));
  std::string id(20, 'A');
  for (int i = 19; i >= 0; --i) {
    id[i] = kAlphabet[static_cast<unsigned>(bits & 63)];
    bits >>= 6;
  }
  return id;
}

}  // namespace strata::ingest::elasticsearch
