#include "strata/ingest/native/native_decoder.h"

#include <simdjson.h>

#include <string>
#include <unordered_map>
#include <utility>

#include "strata/model/level.h"
#include "strata/model/time_format.h"

namespace strata::ingest::native {
namespace {

namespace od = simdjson::ondemand;

// Every JSON body (and NDJSON line) is parsed twice: first by the DOM parser, which validates the whole input
// (structure, atoms, numbers, escapes, UTF-8) and yields simdjson's precise error; then by the On-Demand parser,
// which reads the values. On-Demand is what keeps the original text of numbers (1.50 stays "1.50", 1e3 stays
// "1e3"; DOM only has the parsed double) and of nested arrays; but it validates lazily, so on its own it would
// accept `[1, tru]` inside a value we only copy. Validation first makes an On-Demand error "impossible"; if one
// happens anyway it is reported like a parse error, never trusted.

constexpr std::string_view kEmptyBody = "empty body";
constexpr std::string_view kMalformedJson = "malformed JSON: ";
constexpr std::string_view kInvalidUtf8InBody = "invalid UTF-8 in JSON body";
constexpr std::string_view kBadShape = "expected a JSON array of log objects or {\"logs\": [...]}";
constexpr std::string_view kLogsNotArray = "logs: expected a JSON array";

constexpr std::string_view kItemNotObject = "item: expected a JSON object";
constexpr std::string_view kBadTimestamp = "timestamp: not ISO-8601 or epoch";
constexpr std::string_view kLevelNotString = "level: expected a string";
constexpr std::string_view kInvalidUtf8 = "invalid UTF-8";

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!IsJsonSpace(c)) return false;
  }
  return true;
}

// A BOM is not JSON and not log content: editors and some Windows shippers prepend one to the whole body.
std::string_view StripBom(std::string_view body) {
  if (body.substr(0, kUtf8Bom.size()) == kUtf8Bom) body.remove_prefix(kUtf8Bom.size());
  return body;
}

std::string LineTooLong(size_t n, size_t limit) {
  return "line too long: " + std::to_string(n) + " bytes > limit " + std::to_string(limit);
}

std::string TooManyFields(size_t n, size_t limit) {
  return "too many fields: " + std::to_string(n) + " > limit " + std::to_string(limit);
}

std::string JsonError(simdjson::error_code error) { return std::string(kMalformedJson) + simdjson::error_message(error); }

// Removes insignificant whitespace from valid JSON text. Done by hand instead of simdjson::minify(buf, ...)
// because the text is a slice of the document and that function's padding contract is about whole buffers.
std::string MinifyJson(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        out.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out.push_back(c);
    } else if (!IsJsonSpace(c)) {
      out.push_back(c);
    }
  }
  return out;
}

std::string_view TrimTrailingSpace(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The text a scalar or container is stored as: strings unescaped, numbers as written, booleans and null as their
// literal, arrays and objects as minified JSON (original number text and string escapes preserved).
simdjson::error_code ValueText(od::value& value, od::json_type type, std::string& out) {
  switch (type) {
    case od::json_type::string: {
      std::string_view s;
      if (auto error = value.get_string().get(s)) return error;
      out.assign(s);
      return simdjson::SUCCESS;
    }
    case od::json_type::number:
      // raw_json_token includes the spaces up to the next token.
      out.assign(TrimTrailingSpace(value.raw_json_token()));
      return simdjson::SUCCESS;
    case od::json_type::boolean: {
      bool b = false;
      if (auto error = value.get_bool().get(b)) return error;
      out.assign(b ? "true" : "false");
      return simdjson::SUCCESS;
    }
    case od::json_type::null:
      out.assign("null");
      return simdjson::SUCCESS;
    case od::json_type::array:
    case od::json_type::object: {
      std::string_view raw;
      if (auto error = simdjson::to_json_string(value).get(raw)) return error;
      out = MinifyJson(raw);
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// Fields of a nested object as `prefix.key` (recursively); null members are dropped, and so is an empty object
// (it has no leaf to name).
simdjson::error_code Flatten(od::object object, std::string& prefix, std::vector<model::Field>& fields) {
  for (auto member : object) {
    od::field field;
    if (auto error = std::move(member).get(field)) return error;
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return error;
    od::value value = field.value();
    od::json_type type;
    if (auto error = value.type().get(type)) return error;
    if (type == od::json_type::null) continue;

    const size_t prefix_size = prefix.size();
    prefix.push_back('.');
    prefix.append(key);
    simdjson::error_code error = simdjson::SUCCESS;
    if (type == od::json_type::object) {
      od::object child;
      error = value.get_object().get(child);
      if (!error) error = Flatten(child, prefix, fields);
    } else {
      model::Field f{prefix, {}};
      error = ValueText(value, type, f.value);
      fields.push_back(std::move(f));
    }
    prefix.resize(prefix_size);
    if (error) return error;
  }
  return simdjson::SUCCESS;
}

// Last value wins for a repeated name, at the position of its first occurrence ("input order, unique names").
void DedupeFields(std::vector<model::Field>& fields) {
  if (fields.size() < 2) return;
  std::vector<bool> dropped(fields.size(), false);
  bool any = false;
  if (fields.size() <= 16) {
    // Typical records: a quadratic scan beats allocating a hash map per record.
    for (size_t i = 1; i < fields.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (!dropped[j] && fields[j].name == fields[i].name) {
          fields[j].value = std::move(fields[i].value);
          dropped[i] = any = true;
          break;
        }
      }
    }
  } else {
    std::unordered_map<std::string_view, size_t> first;
    first.reserve(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      auto [it, inserted] = first.emplace(fields[i].name, i);
      if (!inserted) {
        fields[it->second].value = std::move(fields[i].value);
        dropped[i] = any = true;
      }
    }
  }  // the map's keys view names, so it must be gone before the compaction below moves them
  if (!any) return;
  size_t out = 0;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (dropped[i]) continue;
    if (out != i) fields[out] = std::move(fields[i]);
    ++out;
  }
  fields.resize(out);
}

// The size limit is checked first: an item that is both too big and too wide reports its size.
std::string CheckLimits(const model::LogRecord& record, const DecodeOptions& options) {
  const size_t raw = record.RawBytes();
  if (raw > options.max_line_bytes) return LineTooLong(raw, options.max_line_bytes);
  if (record.fields.size() > options.max_fields) return TooManyFields(record.fields.size(), options.max_fields);
  // Rows older than retention would be dropped by the next maintenance pass: say so now, with the item's index.
  if (record.timestamp_ns < options.oldest_ns) {
    return "timestamp: " + model::FormatRfc3339Nanos(record.timestamp_ns) +
           " is older than the retention period (oldest acceptable: " + model::FormatRfc3339Nanos(options.oldest_ns) +
           ")";
  }
  return {};
}

// The outcome of one item: a record, a rejection reason, or a JSON error (which the JSON body decoder turns into
// a body-level error and the NDJSON decoder into a line rejection).
struct ItemOutcome {
  simdjson::error_code json_error = simdjson::SUCCESS;
  std::string reject;  // empty: accepted
};

// Timestamps given as JSON numbers. Plain decimals go through the exact text parser (1714564800.123456789 keeps
// its nanoseconds, which a double cannot hold); exponent forms through the double path.
bool NumberTimestamp(od::value& value, int64_t& ns, simdjson::error_code& error) {
  od::number_type kind;
  if ((error = value.get_number_type().get(kind))) return false;
  if (kind == od::number_type::signed_integer) {
    int64_t v = 0;
    if ((error = value.get_int64().get(v))) return false;
    auto r = model::EpochIntegerToNanos(v);
    if (r.ok()) ns = *r;
    return r.ok();
  }
  if (kind == od::number_type::unsigned_integer) return false;  // >= 2^63 in any unit is beyond int64 ns
  const std::string_view token = TrimTrailingSpace(value.raw_json_token());
  if (token.find_first_of("eE") == std::string_view::npos) {
    auto r = model::ParseTimestamp(token);
    if (r.ok()) ns = *r;
    return r.ok();
  }
  double d = 0;
  if ((error = value.get_double().get(d))) return false;
  auto r = model::EpochToNanos(d);
  if (r.ok()) ns = *r;
  return r.ok();
}

class ItemDecoder {
 public:
  explicit ItemDecoder(const DecodeOptions& options) : options_(options) {}

  // Decodes one log object. The object is always iterated to its end, even after a rejection, so the enclosing
  // array iteration stays positioned where On-Demand expects it.
  ItemOutcome Decode(od::object object, model::LogRecord& record) {
    ItemOutcome outcome;
    record = model::LogRecord{};
    record.timestamp_ns = options_.receive_time_ns;
    std::string text;
    std::string prefix;
    for (auto member : object) {
      od::field field;
      if ((outcome.json_error = std::move(member).get(field))) return outcome;
      std::string_view key;
      if ((outcome.json_error = field.unescaped_key().get(key))) return outcome;
      od::value value = field.value();
      od::json_type type;
      if ((outcome.json_error = value.type().get(type))) return outcome;
      if (!outcome.reject.empty()) continue;  // already rejected: skip the rest cheaply

      if (key == "timestamp") {
        if (type == od::json_type::null) {
          record.timestamp_ns = options_.receive_time_ns;
        } else if (type == od::json_type::string) {
          std::string_view s;
          if ((outcome.json_error = value.get_string().get(s))) return outcome;
          auto r = model::ParseTimestamp(s);
          if (r.ok()) {
            record.timestamp_ns = *r;
          } else {
            outcome.reject = kBadTimestamp;
          }
        } else if (type == od::json_type::number) {
          int64_t ns = 0;
          if (NumberTimestamp(value, ns, outcome.json_error)) {
            record.timestamp_ns = ns;
          } else if (outcome.json_error) {
            return outcome;
          } else {
            outcome.reject = kBadTimestamp;
          }
        } else {
          outcome.reject = kBadTimestamp;
        }
        continue;
      }
      if (key == "level") {
        if (type == od::json_type::null) continue;
        if (type != od::json_type::string) {
          outcome.reject = kLevelNotString;
          continue;
        }
        std::string_view s;
        if ((outcome.json_error = value.get_string().get(s))) return outcome;
        const std::string_view label = options_.labels->LabelFor(key);
        if (label.empty()) {
          record.fields.push_back({std::string(key), model::NormalizeLevel(s)});
        } else {
          record.labels.push_back({std::string(label), model::NormalizeLevel(s)});
        }
        continue;
      }
      if (key == "message") {
        if (type == od::json_type::null) {
          record.message.clear();
        } else if ((outcome.json_error = ValueText(value, type, record.message))) {
          return outcome;
        }
        continue;
      }
      if (type == od::json_type::null) continue;

      // `metadata` is the schema's bag of extra attributes: always fields, never a label.
      const std::string_view label = key == "metadata" ? std::string_view() : options_.labels->LabelFor(key);
      if (type == od::json_type::object) {
        // A label key with an object value cannot be a label (no single value): it is flattened like any key.
        od::object child;
        if ((outcome.json_error = value.get_object().get(child))) return outcome;
        prefix.assign(key);
        if ((outcome.json_error = Flatten(child, prefix, record.fields))) return outcome;
        continue;
      }
      if ((outcome.json_error = ValueText(value, type, text))) return outcome;
      if (!label.empty() && type != od::json_type::array) {
        record.labels.push_back({std::string(label), label == "level" ? model::NormalizeLevel(text) : text});
      } else {
        record.fields.push_back({std::string(key), text});
      }
    }
    if (!outcome.reject.empty()) return outcome;
    outcome.reject = Finish(record);
    return outcome;
  }

  // Canonical labels and unique fields, then the limits.
  std::string Finish(model::LogRecord& record) const {
    model::CanonicalizeLabels(record.labels);
    DedupeFields(record.fields);
    return CheckLimits(record, options_);
  }

 private:
  const DecodeOptions& options_;
};

base::Status CheckOptions(const DecodeOptions& options) {
  if (options.labels == nullptr) return base::Internal("DecodeOptions::labels is required");
  return base::Status::Ok();
}

// Calls `fn(index, line)` for every line of `body` (split on \n, a trailing \r dropped, a last line without \n
// included). Blank lines are not passed but still count for the index, so indexes are line numbers.
template <typename Fn>
void ForEachLine(std::string_view body, Fn&& fn) {
  size_t index = 0;
  while (!body.empty()) {
    const size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!IsBlank(line)) fn(index, line);
    ++index;
  }
}

}  // namespace

base::Result<DecodeResult> DecodeJsonBody(std::string_view body, const DecodeOptions& options) {
  RETURN_IF_ERROR(CheckOptions(options));
  body = StripBom(body);
  if (IsBlank(body)) return base::InvalidArgument(std::string(kEmptyBody));

  const simdjson::padded_string padded(body);
  enum class Shape { kArray, kLogs, kSingle };
  Shape shape = Shape::kArray;
  {
    // Scoped so the DOM tree is freed before the On-Demand pass allocates: peak memory is the larger of the two.
    simdjson::dom::parser dom_parser;
    simdjson::dom::element root;
    if (auto error = dom_parser.parse(padded).get(root)) {
      if (error == simdjson::UTF8_ERROR) return base::InvalidArgument(std::string(kInvalidUtf8InBody));
      return base::InvalidArgument(JsonError(error));
    }
    if (root.is_array()) {
      shape = Shape::kArray;
    } else if (root.is_object()) {
      simdjson::dom::element logs;
      auto error = root.get_object().at_key("logs").get(logs);
      if (error == simdjson::NO_SUCH_FIELD) {
        shape = Shape::kSingle;
      } else if (error || !logs.is_array()) {
        return base::InvalidArgument(std::string(kLogsNotArray));
      } else {
        shape = Shape::kLogs;
      }
    } else {
      return base::InvalidArgument(std::string(kBadShape));
    }
  }

  od::parser od_parser;
  od::document doc;
  if (auto error = od_parser.iterate(padded).get(doc)) return base::InvalidArgument(JsonError(error));

  DecodeResult result;
  ItemDecoder decoder(options);
  model::LogRecord record;
  // Returns a JSON error, which aborts the whole body (the DOM pass said it was valid, so this is a bug guard).
  auto decode_array = [&](od::array items) -> simdjson::error_code {
    size_t index = 0;
    for (auto item : items) {
      od::value value;
      if (auto error = item.get(value)) return error;
      od::json_type type;
      if (auto error = value.type().get(type)) return error;
      if (type != od::json_type::object) {
        result.rejected.push_back({index++, std::string(kItemNotObject)});
        continue;
      }
      od::object object;
      if (auto error = value.get_object().get(object)) return error;
      ItemOutcome outcome = decoder.Decode(object, record);
      if (outcome.json_error) return outcome.json_error;
      if (outcome.reject.empty()) {
        result.records.push_back(std::move(record));
      } else {
        result.rejected.push_back({index, std::move(outcome.reject)});
      }
      ++index;
    }
    return simdjson::SUCCESS;
  };

  simdjson::error_code error = simdjson::SUCCESS;
  switch (shape) {
    case Shape::kArray: {
      od::array items;
      error = doc.get_array().get(items);
      if (!error) error = decode_array(items);
      break;
    }
    case Shape::kLogs: {
      // The first "logs" member, as the DOM lookup above found it; the other members are ignored.
      od::object top;
      error = doc.get_object().get(top);
      if (error) break;
      bool seen = false;
      for (auto member : top) {
        if (error) break;
        od::field field;
        if ((error = std::move(member).get(field))) break;
        std::string_view key;
        if ((error = field.unescaped_key().get(key))) break;
        if (seen || key != "logs") continue;
        seen = true;
        od::array items;
        if ((error = field.value().get_array().get(items))) break;
        error = decode_array(items);
      }
      break;
    }
    case Shape::kSingle: {
      od::object object;
      error = doc.get_object().get(object);
      if (error) break;
      ItemOutcome outcome = decoder.Decode(object, record);
      error = outcome.json_error;
      if (error) break;
      if (outcome.reject.empty()) {
        result.records.push_back(std::move(record));
      } else {
        result.rejected.push_back({0, std::move(outcome.reject)});
      }
      break;
    }
  }
  if (error) return base::InvalidArgument(JsonError(error));
  return result;
}

base::Result<DecodeResult> DecodeNdjsonBody(std::string_view body, const DecodeOptions& options) {
  RETURN_IF_ERROR(CheckOptions(options));
  body = StripBom(body);
  if (IsBlank(body)) return base::InvalidArgument(std::string(kEmptyBody));

  DecodeResult result;
  ItemDecoder decoder(options);
  simdjson::dom::parser dom_parser;
  od::parser od_parser;
  std::string buffer;  // one line plus simdjson's padding, reused across lines
  model::LogRecord record;

  ForEachLine(body, [&](size_t index, std::string_view line) {
    auto reject = [&](std::string reason) { result.rejected.push_back({index, std::move(reason)}); };
    if (line.size() > options.max_line_bytes) return reject(LineTooLong(line.size(), options.max_line_bytes));

    buffer.assign(line);
    buffer.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::dom::element root;
    if (auto error = dom_parser.parse(buffer.data(), line.size(), false).get(root)) {
      return reject(error == simdjson::UTF8_ERROR ? std::string(kInvalidUtf8) : JsonError(error));
    }
    if (!root.is_object()) return reject(std::string(kItemNotObject));

    od::document doc;
    od::object object;
    simdjson::error_code error = od_parser.iterate(buffer.data(), line.size(), buffer.size()).get(doc);
    if (!error) error = doc.get_object().get(object);
    if (error) return reject(JsonError(error));
    ItemOutcome outcome = decoder.Decode(object, record);
    if (outcome.json_error) return reject(JsonError(outcome.json_error));
    if (!outcome.reject.empty()) return reject(std::move(outcome.reject));
    result.records.push_back(std::move(record));
  });
  return result;
}

base::Result<DecodeResult> DecodeTextBody(std::string_view body, const TextAttributes& attributes,
                                          const DecodeOptions& options) {
  RETURN_IF_ERROR(CheckOptions(options));
  body = StripBom(body);
  if (IsBlank(body)) return base::InvalidArgument(std::string(kEmptyBody));

  // The attribute part of every record is the same: build it once.
  model::LogRecord base_record;
  base_record.timestamp_ns = options.receive_time_ns;
  for (const auto& pair : attributes.pairs) {
    const std::string_view label = options.labels->LabelFor(pair.name);
    if (label.empty()) {
      base_record.fields.push_back(pair);
    } else {
      base_record.labels.push_back({std::string(label), label == "level" ? model::NormalizeLevel(pair.value)
                                                                         : pair.value});
    }
  }
  model::CanonicalizeLabels(base_record.labels);
  DedupeFields(base_record.fields);

  DecodeResult result;
  ForEachLine(body, [&](size_t index, std::string_view line) {
    auto reject = [&](std::string reason) { result.rejected.push_back({index, std::move(reason)}); };
    if (line.size() > options.max_line_bytes) return reject(LineTooLong(line.size(), options.max_line_bytes));
    if (!simdjson::validate_utf8(line.data(), line.size())) return reject(std::string(kInvalidUtf8));
    model::LogRecord record = base_record;
    record.message.assign(line);
    std::string reason = CheckLimits(record, options);
    if (!reason.empty()) return reject(std::move(reason));
    result.records.push_back(std::move(record));
  });
  return result;
}

}  // namespace strata::ingest::native
