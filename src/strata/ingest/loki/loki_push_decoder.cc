#include "strata/ingest/loki/loki_push_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <utility>

#include "strata/common/protobuf_wire.h"
#include "strata/common/text.h"
#include "strata/model/time_format.h"

namespace strata::ingest::loki {
namespace {

using common::protobuf::FieldKey;
using common::protobuf::WireReader;
using common::protobuf::WireType;

constexpr std::string_view kServiceName = "service_name";
constexpr std::string_view kUnknownService = "unknown_service";

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// Go's strconv.Quote subset that matters for label values in messages: quotes, backslashes, control bytes.
void AppendGoQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// model::CanonicalizeLabels, skipped for labels already sorted with unique names (what clients usually send), which
// it would give back unchanged after a sort and a copy into a new vector.
void Canonicalize(model::LabelSet& labels) {
  for (size_t i = 1; i < labels.size(); ++i) {
    if (!(labels[i - 1].name < labels[i].name)) return model::CanonicalizeLabels(labels);
  }
}

// A recursive-descent reader of `{name="value", ...}`; errors carry the 0-based byte position.
class LabelParser {
 public:
  explicit LabelParser(std::string_view text) : s_(text) {}

  base::Result<model::LabelSet> Parse() {
    if (!IsValidUtf8(s_)) return base::InvalidArgument("invalid UTF-8");
    SkipSpace();
    if (!Eat('{')) return Error("expected '{'");
    model::LabelSet labels;
    while (true) {
      SkipSpace();
      if (Eat('}')) break;
      const size_t start = i_;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
      std::string_view name = s_.substr(start, i_ - start);
      if (name.empty()) return Error("expected a label name");
      if (!IsValidLabelName(name)) return base::InvalidArgument("invalid label name '" + std::string(name) + "'");
      SkipSpace();
      if (i_ < s_.size() && (s_[i_] == '!' || (s_[i_] == '=' && i_ + 1 < s_.size() && s_[i_ + 1] == '~'))) {
        return Error("only '=' is allowed in stream labels");
      }
      if (!Eat('=')) return Error("expected '='");
      SkipSpace();
      std::string value;
      RETURN_IF_ERROR(ReadString(value));
      for (const auto& l : labels) {
        if (l.name == name) return base::InvalidArgument("duplicate label name '" + std::string(name) + "'");
      }
      labels.push_back({std::string(name), std::move(value)});
      SkipSpace();
      if (Eat(',')) continue;
      if (Eat('}')) break;
      return Error("expected ',' or '}'");
    }
    SkipSpace();
    if (i_ != s_.size()) return Error("unexpected text after '}'");
    std::erase_if(labels, [](const model::Field& f) { return f.value.empty(); });
    Canonicalize(labels);
    return labels;
  }

 private:
  base::Status Error(std::string_view what) const {
    return base::InvalidArgument(std::string(what) + " at position " + std::to_string(i_));
  }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  // A Go interpreted string "..." (escapes \a \b \f \n \r \t \v \\ \" \' \xHH \OOO \uHHHH \UHHHHHHHH) or a raw
  // string `...`.
  base::Status ReadString(std::string& out) {
    if (Eat('`')) {
      const size_t end = s_.find('`', i_);
      if (end == std::string_view::npos) return Error("unterminated raw string");
      out.assign(s_.substr(i_, end - i_));
      i_ = end + 1;
      return base::Status::Ok();
    }
    if (!Eat('"')) return Error("expected a quoted label value");
    while (true) {
      if (i_ >= s_.size()) return Error("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return base::Status::Ok();
      if (c == '\n') return Error("newline in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return Error("unterminated string");
      const char e = s_[i_++];
      switch (e) {
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        case 'x': {
          if (i_ + 2 > s_.size() || common::HexDigitValue(s_[i_]) < 0 || common::HexDigitValue(s_[i_ + 1]) < 0) return Error("bad \\x escape");
          out += static_cast<char>(common::HexDigitValue(s_[i_]) * 16 + common::HexDigitValue(s_[i_ + 1]));
          i_ += 2;
          break;
        }
        case 'u':
        case 'U': {
          const size_t n = e == 'u' ? 4 : 8;
          if (i_ + n > s_.size()) return Error("bad unicode escape");
          uint32_t cp = 0;
          for (size_t k = 0; k < n; ++k) {
            const int d = common::HexDigitValue(s_[i_ + k]);
            if (d < 0) return Error("bad unicode escape");
            cp = cp * 16 + static_cast<uint32_t>(d);
          }
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return Error("invalid unicode code point");
          i_ += n;
          common::AppendUtf8(out, cp);
          break;
        }
        default: {
          if (e >= '0' && e <= '7') {
            if (i_ + 2 > s_.size()) return Error("bad octal escape");
            int v = e - '0';
            for (int k = 0; k < 2; ++k) {
              const char o = s_[i_ + k];
              if (o < '0' || o > '7') return Error("bad octal escape");
              v = v * 8 + (o - '0');
            }
            if (v > 255) return Error("bad octal escape");
            i_ += 2;
            out += static_cast<char>(v);
            break;
          }
          return Error(std::string("unknown escape \\") + e);
        }
      }
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

// Last value wins for a repeated name, at the position of its first occurrence. Entries carry a few metadata
// pairs: compare pairwise, and use a map only for long lists.
void DedupeFields(std::vector<model::FieldView>& fields) {
  if (fields.size() < 2) return;
  size_t kept = 0;
  if (fields.size() <= 16) {
    for (size_t i = 0; i < fields.size(); ++i) {
      size_t j = 0;
      while (j < kept && fields[j].name != fields[i].name) ++j;
      if (j < kept) {
        fields[j].value = fields[i].value;
      } else {
        fields[kept++] = fields[i];
      }
    }
  } else {
    std::unordered_map<std::string_view, size_t> at;
    for (size_t i = 0; i < fields.size(); ++i) {
      auto [it, inserted] = at.emplace(fields[i].name, kept);
      if (inserted) {
        fields[kept++] = fields[i];
      } else {
        fields[it->second].value = fields[i].value;
      }
    }
  }
  fields.resize(kept);
}

// One stream being decoded: its validated labels (or why it was dropped), shared by its entries.
struct Stream {
  model::LabelSet labels;
  size_t label_bytes = 0;  // names + values, as LogRecord::RawBytes counts them
  bool ok = false;

  // The labels as stored, as Loki prints them in messages; formatted when a message first needs them (most
  // streams have none, and formatting every stream's labels cost ~2% of the ingest path).
  const std::string& Text() const {
    if (!text_) text_ = FormatLabels(labels);
    return *text_;
  }

 private:
  mutable std::optional<std::string> text_;
};

// Collects accepted entries as LogRecords, or, given an encoder, encodes them straight into a record batch.
class PushBuilder {
 public:
  PushBuilder(const PushOptions& options, model::RecordBatchBuilder* encoder)
      : options_(options), encoder_(encoder) {}

  // Validates parsed labels and adds service_name. On failure the stream's entries are dropped by the caller.
  Stream MakeStream(model::LabelSet labels, size_t entries) {
    Stream s;
    if (labels.empty()) {
      Reject("missing_labels", "error at least one label pair is required per stream", entries);
      return s;
    }
    if (labels.size() > options_.max_label_names) {
      Reject("max_label_names_per_series",
             "entry for stream '" + FormatLabels(labels) + "' has " + std::to_string(labels.size()) +
                 " label names; limit " + std::to_string(options_.max_label_names),
             entries);
      return s;
    }
    for (const auto& l : labels) {
      if (l.name.size() > options_.max_label_name_length) {
        Reject("label_name_too_long",
               "stream '" + FormatLabels(labels) + "' has label name too long: '" + l.name + "'", entries);
        return s;
      }
      if (l.value.size() > options_.max_label_value_length) {
        Reject("label_value_too_long",
               "stream '" + FormatLabels(labels) + "' has label value too long: '" + l.value + "'",
               entries);
        return s;
      }
    }
    bool has_service = false;
    for (const auto& l : labels) has_service |= l.name == kServiceName;
    if (!has_service) {
      std::string service(kUnknownService);
      for (const auto& source : options_.service_name_sources) {
        auto it = std::find_if(labels.begin(), labels.end(), [&](const model::Field& f) { return f.name == source; });
        if (it != labels.end() && !it->value.empty()) {
          service = it->value;
          break;
        }
      }
      // Inserted where it sorts (labels arrive canonical), so the check below finds nothing to do.
      auto at = std::lower_bound(labels.begin(), labels.end(), kServiceName,
                                 [](const model::Field& f, std::string_view name) { return f.name < name; });
      labels.insert(at, model::Field{std::string(kServiceName), std::move(service)});
      Canonicalize(labels);  // entry errors name the stream as stored (Text()), as Loki's do
    }
    s.labels = std::move(labels);
    for (const auto& l : s.labels) s.label_bytes += l.name.size() + l.value.size();
    // A stream's entries are added right after it is made, so the encoder's labels are this stream's until the next.
    if (encoder_ != nullptr) encoder_->SetLabels(s.labels);
    s.ok = true;
    return s;
  }

  void RejectLabels(std::string_view text, std::string_view why, size_t entries) {
    Reject("invalid_labels", "error parsing labels '" + std::string(text) + "' with error: " + std::string(why),
           entries);
  }

  void RejectMalformedEntry(const Stream& s, size_t index, std::string_view why) {
    Reject("malformed", "entry " + std::to_string(index) + " for stream '" + s.Text() + "' is malformed: " +
                            std::string(why));
  }

  void RejectMalformedStream(size_t index, std::string_view why, size_t entries) {
    Reject("malformed", "stream " + std::to_string(index) + " is malformed: " + std::string(why), entries);
  }

  // Validates one entry and keeps it as a record, or lists why not.
  // metadata: views valid during the call; deduplicated in place.
  void AddEntry(const Stream& s, int64_t ts_ns, std::string_view line, std::vector<model::FieldView>& metadata) {
    if (ts_ns < options_.oldest_ns) {
      Reject("greater_than_max_sample_age",
             "entry for stream '" + s.Text() + "' has timestamp too old: " + model::FormatRfc3339Nanos(ts_ns) +
                 ", oldest acceptable timestamp is: " + model::FormatRfc3339Nanos(options_.oldest_ns));
      return;
    }
    if (ts_ns > options_.newest_ns) {
      Reject("too_far_in_future",
             "entry for stream '" + s.Text() + "' has timestamp too new: " + model::FormatRfc3339Nanos(ts_ns));
      return;
    }
    DedupeFields(metadata);
    size_t raw = s.label_bytes + line.size();
    for (const auto& f : metadata) raw += f.name.size() + f.value.size();
    if (line.size() > options_.max_line_bytes || raw > options_.max_line_bytes) {
      // Loki reports the line's length; an entry within it but too big with its labels and metadata reports all.
      const size_t length = line.size() > options_.max_line_bytes ? line.size() : raw;
      Reject("line_too_long", "max entry size '" + std::to_string(options_.max_line_bytes) +
                                  "' bytes exceeded for stream '" + s.Text() +
                                  "' while adding an entry with length '" + std::to_string(length) + "' bytes");
      return;
    }
    if (metadata.size() > options_.max_fields) {
      Reject("structured_metadata_too_many", "stream '" + s.Text() + "' has too many structured metadata labels: '" +
                                                 std::to_string(metadata.size()) + "', limit: '" +
                                                 std::to_string(options_.max_fields) + "'");
      return;
    }
    if (encoder_ != nullptr) {
      encoder_->Add(ts_ns, line, metadata.data(), metadata.size());
      ++encoded_;
      return;
    }
    model::LogRecord record;
    record.timestamp_ns = ts_ns;
    record.labels = s.labels;
    record.message.assign(line);
    record.fields.reserve(metadata.size());
    for (const auto& f : metadata) record.fields.push_back({std::string(f.name), std::string(f.value)});
    result_.records.push_back(std::move(record));
  }

  void Reject(std::string reason, std::string message, size_t entries = 1) {
    result_.rejected.push_back({std::move(reason), std::move(message), entries});
  }

  PushResult Take() { return std::move(result_); }
  bool empty() const { return result_.records.empty() && encoded_ == 0 && result_.rejected.empty(); }

 private:
  const PushOptions& options_;
  model::RecordBatchBuilder* const encoder_;
  size_t encoded_ = 0;  // entries given to encoder_
  PushResult result_;
};

// ---- JSON ----

namespace dom = simdjson::dom;

// "<digits>" (optionally negative) as ns; Loki parses the string with ParseInt.
bool ParseNanos(std::string_view s, int64_t& ns) {
  if (s.empty() || s.size() > 20) return false;
  const bool negative = s[0] == '-';
  size_t i = negative ? 1 : 0;
  if (i == s.size()) return false;
  // Accumulate the magnitude in 64 bits: 19 digits always fit (the usual timestamp has 19), 20 may overflow,
  // which only then is checked digit by digit.
  uint64_t v = 0;
  if (s.size() - i <= 19) {
    for (; i < s.size(); ++i) {
      const unsigned d = static_cast<unsigned char>(s[i]) - '0';
      if (d > 9) return false;
      v = v * 10 + d;
    }
  } else {
    for (; i < s.size(); ++i) {
      const unsigned d = static_cast<unsigned char>(s[i]) - '0';
      if (d > 9) return false;
      if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, d, &v)) return false;
    }
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (v > limit) return false;
  ns = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

// A metadata object: string values only (Loki requires string->string).
bool JsonMetadata(dom::element e, std::vector<model::FieldView>& out, std::string& why) {
  dom::object obj;
  if (e.get_object().get(obj)) {
    why = "structured metadata: expected a JSON object";
    return false;
  }
  for (auto [key, value] : obj) {
    std::string_view v;
    if (value.get_string().get(v)) {
      why = "structured metadata '" + std::string(key) + "': expected a string value";
      return false;
    }
    out.push_back({key, v});
  }
  return true;
}

size_t ArraySize(dom::element e) {
  dom::array a;
  return e.get_array().get(a) ? 0 : a.size();
}

void DecodeJsonStream(dom::element element, size_t index, PushBuilder& builder,
                      std::vector<model::FieldView>& metadata) {
  dom::object obj;
  if (element.get_object().get(obj)) return builder.RejectMalformedStream(index, "expected a JSON object", 1);

  dom::element stream_labels, values, legacy_labels, legacy_entries;
  const bool has_stream = !obj.at_key("stream").get(stream_labels);
  const bool has_values = !obj.at_key("values").get(values);
  const bool has_legacy_labels = !obj.at_key("labels").get(legacy_labels);
  const bool has_legacy_entries = !obj.at_key("entries").get(legacy_entries);
  const bool legacy = !has_stream && !has_values && (has_legacy_labels || has_legacy_entries);
  dom::element entries_element = legacy ? legacy_entries : values;
  const bool has_entries = legacy ? has_legacy_entries : has_values;
  const size_t entries = std::max<size_t>(1, has_entries ? ArraySize(entries_element) : 0);

  // Labels.
  model::LabelSet labels;
  if (legacy) {
    std::string_view text;
    if (!has_legacy_labels || legacy_labels.get_string().get(text)) {
      return builder.RejectMalformedStream(index, "labels: expected a string such as {app=\"api\"}", entries);
    }
    auto parsed = ParseLabelString(text);
    if (!parsed.ok()) return builder.RejectLabels(text, parsed.status().message(), entries);
    labels = std::move(parsed).value();
  } else if (has_stream) {
    dom::object lobj;
    if (stream_labels.get_object().get(lobj)) {
      return builder.RejectMalformedStream(index, "stream: expected a JSON object of label names to values",
                                           entries);
    }
    std::string error;
    for (auto [key, value] : lobj) {
      std::string_view v;
      if (value.get_string().get(v)) {
        if (error.empty()) error = "label '" + std::string(key) + "': expected a string value";
        continue;
      }
      if (!IsValidLabelName(key) && error.empty()) error = "invalid label name '" + std::string(key) + "'";
      for (const auto& l : labels) {
        if (l.name == key && error.empty()) error = "duplicate label name '" + std::string(key) + "'";
      }
      labels.push_back({std::string(key), std::string(v)});
    }
    if (!error.empty()) {
      std::string text = "{";
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i) text += ", ";
        text += labels[i].name + "=";
        AppendGoQuoted(text, labels[i].value);
      }
      text += "}";
      return builder.RejectLabels(text, error, entries);
    }
    std::erase_if(labels, [](const model::Field& f) { return f.value.empty(); });
    Canonicalize(labels);
  }
  Stream stream = builder.MakeStream(std::move(labels), entries);
  if (!stream.ok) return;
  if (!has_entries) return;  // a stream without values carries nothing
  dom::array items;
  if (entries_element.get_array().get(items)) {
    return builder.RejectMalformedStream(index, legacy ? "entries: expected a JSON array" :
                                                         "values: expected a JSON array", entries);
  }

  size_t i = 0;
  for (dom::element item : items) {
    const size_t entry_index = i++;
    if (item.is_null()) continue;  // Loki skips null entries
    metadata.clear();
    std::string why;
    if (legacy) {
      dom::object e;
      std::string_view ts_text, line;
      if (item.get_object().get(e)) {
        builder.RejectMalformedEntry(stream, entry_index, "expected {\"ts\": \"<RFC 3339>\", \"line\": \"...\"}");
        continue;
      }
      if (e.at_key("ts").get_string().get(ts_text)) {
        builder.RejectMalformedEntry(stream, entry_index, "ts: expected an RFC 3339 string");
        continue;
      }
      if (e.at_key("line").get_string().get(line)) {
        builder.RejectMalformedEntry(stream, entry_index, "line: expected a string");
        continue;
      }
      auto ts = model::ParseTimestamp(ts_text);
      if (!ts.ok()) {
        builder.RejectMalformedEntry(stream, entry_index, "ts: '" + std::string(ts_text) + "' is not RFC 3339");
        continue;
      }
      builder.AddEntry(stream, *ts, line, metadata);
      continue;
    }
    dom::array tuple;
    if (item.get_array().get(tuple) || tuple.size() < 2 || tuple.size() > 3) {
      builder.RejectMalformedEntry(stream, entry_index,
                                   "expected [\"<unix epoch in nanoseconds>\", \"<log line>\"] with an optional "
                                   "structured metadata object");
      continue;
    }
    std::string_view ts_text, line;
    if (tuple.at(0).get_string().get(ts_text)) {
      builder.RejectMalformedEntry(stream, entry_index,
                                   "timestamp: expected a string of nanoseconds since the epoch, not a number");
      continue;
    }
    int64_t ns = 0;
    if (!ParseNanos(ts_text, ns)) {
      builder.RejectMalformedEntry(stream, entry_index,
                                   "timestamp: '" + std::string(ts_text) + "' is not nanoseconds since the epoch");
      continue;
    }
    if (tuple.at(1).get_string().get(line)) {
      builder.RejectMalformedEntry(stream, entry_index, "line: expected a string");
      continue;
    }
    if (tuple.size() == 3 && !tuple.at(2).is_null() && !JsonMetadata(tuple.at(2), metadata, why)) {
      builder.RejectMalformedEntry(stream, entry_index, why);
      continue;
    }
    builder.AddEntry(stream, ns, line, metadata);
  }
}

// The parsers keep buffers sized to the largest document they parsed; keeping them per thread spares their
// allocation (and the page faults of fresh memory) on every request. Bodies above this get parsers of their own.
constexpr size_t kReusedBuffersMaxBytes = 4 << 20;

// body: followed by SIMDJSON_PADDING readable bytes.
base::Result<PushResult> DecodeDom(std::string_view body, const PushOptions& options,
                                   model::RecordBatchBuilder* encode_into) {
  thread_local dom::parser reused_parser;
  std::optional<dom::parser> own_parser;
  dom::parser& parser = body.size() <= kReusedBuffersMaxBytes ? reused_parser : own_parser.emplace();
  dom::element root;
  if (auto error = parser.parse(body.data(), body.size(), false).get(root)) {
    return base::InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  dom::object top;
  if (root.get_object().get(top)) return base::InvalidArgument("expected a JSON object with \"streams\"");
  PushBuilder builder(options, encode_into);
  dom::element streams;
  if (top.at_key("streams").get(streams) || streams.is_null()) return builder.Take();  // no streams: nothing to do
  dom::array list;
  if (streams.get_array().get(list)) return base::InvalidArgument("streams: expected a JSON array");
  size_t index = 0;
  std::vector<model::FieldView> metadata;  // one entry's, reused
  for (dom::element s : list) DecodeJsonStream(s, index++, builder, metadata);
  return builder.Take();
}

// ---- JSON, On-Demand ----
//
// Handles the shape every client sends: {"streams":[{"stream":{...},"values":[["<ns>","<line>"{,{...}}], ...]}]}
// with "stream" before "values", valid labels and well-formed entries, each key once and no other keys. It returns
// false on anything else (malformed JSON, a legacy stream, a stream or entry the DOM path would reject as malformed
// or for its labels), having possibly added entries already: the caller undoes them and takes the DOM path.
// Entries rejected for their time or size are rejected here as there, in the same order. Every value is read with
// a typed getter, so what is accepted here is valid JSON the DOM path would decode the same way.

namespace od = simdjson::ondemand;
static_assert(kJsonBodyPadding >= simdjson::SIMDJSON_PADDING, "DecodePushJsonPadded must cover what simdjson reads");

bool OnDemandLabels(od::value value, model::LabelSet& labels) {
  od::object obj;
  if (value.get_object().get(obj)) return false;
  for (auto field_or_error : obj) {
    od::field field;
    std::string_view name, text;
    if (std::move(field_or_error).get(field) || field.unescaped_key().get(name) ||
        field.value().get_string().get(text)) {
      return false;
    }
    if (!IsValidLabelName(name)) return false;
    for (const auto& l : labels) {
      if (l.name == name) return false;
    }
    labels.push_back({std::string(name), std::string(text)});
  }
  std::erase_if(labels, [](const model::Field& f) { return f.value.empty(); });
  Canonicalize(labels);
  return true;
}

bool OnDemandMetadata(od::value value, std::vector<model::FieldView>& out) {
  bool is_null = false;
  if (value.is_null().get(is_null)) return false;
  if (is_null) return true;
  od::object obj;
  if (value.get_object().get(obj)) return false;
  for (auto field_or_error : obj) {
    od::field field;
    std::string_view name, text;
    if (std::move(field_or_error).get(field) || field.unescaped_key().get(name) ||
        field.value().get_string().get(text)) {
      return false;
    }
    out.push_back({name, text});
  }
  return true;
}

bool OnDemandValues(od::value value, const Stream& stream, PushBuilder& builder,
                    std::vector<model::FieldView>& metadata) {
  od::array items;
  if (value.get_array().get(items)) return false;
  for (auto item_or_error : items) {
    od::value item;
    if (std::move(item_or_error).get(item)) return false;
    bool is_null = false;
    if (item.is_null().get(is_null)) return false;
    if (is_null) continue;  // Loki skips null entries
    od::array tuple;
    if (item.get_array().get(tuple)) return false;
    metadata.clear();
    std::string_view ts_text, line;
    size_t n = 0;
    for (auto part_or_error : tuple) {
      od::value part;
      if (std::move(part_or_error).get(part)) return false;
      switch (n++) {
        case 0:
          if (part.get_string().get(ts_text)) return false;
          break;
        case 1:
          if (part.get_string().get(line)) return false;
          break;
        case 2:
          if (!OnDemandMetadata(part, metadata)) return false;
          break;
        default: return false;
      }
    }
    int64_t ns = 0;
    if (n < 2 || !ParseNanos(ts_text, ns)) return false;
    builder.AddEntry(stream, ns, line, metadata);
  }
  return true;
}

bool OnDemandStream(od::value value, PushBuilder& builder, std::vector<model::FieldView>& metadata) {
  od::object obj;
  if (value.get_object().get(obj)) return false;
  std::optional<Stream> stream;
  bool has_values = false;
  for (auto field_or_error : obj) {
    od::field field;
    if (std::move(field_or_error).get(field)) return false;
    const od::raw_json_string key = field.key();
    if (key == "stream") {
      if (stream || has_values) return false;  // repeated, or after the values: the DOM path's order of checks
      model::LabelSet labels;
      if (!OnDemandLabels(field.value(), labels)) return false;
      // A stream rejected for its labels reports how many entries it had, which On-Demand has not counted yet.
      stream = builder.MakeStream(std::move(labels), 1);
      if (!stream->ok) return false;
    } else if (key == "values") {
      if (!stream || has_values) return false;
      has_values = true;
      if (!OnDemandValues(field.value(), *stream, builder, metadata)) return false;
    } else {
      return false;
    }
  }
  return stream.has_value();
}

bool DecodeOnDemand(std::string_view body, PushBuilder& builder) {
  thread_local od::parser reused_parser;
  std::optional<od::parser> own_parser;
  od::parser& parser = body.size() <= kReusedBuffersMaxBytes ? reused_parser : own_parser.emplace();
  od::document doc;
  if (parser.iterate(body.data(), body.size(), body.size() + simdjson::SIMDJSON_PADDING).get(doc)) return false;
  od::object top;
  if (doc.get_object().get(top)) return false;
  bool has_streams = false;
  std::vector<model::FieldView> metadata;  // one entry's, reused
  for (auto field_or_error : top) {
    od::field field;
    if (std::move(field_or_error).get(field)) return false;
    const od::raw_json_string key = field.key();
    if (key != "streams" || has_streams) return false;
    has_streams = true;
    od::array list;
    if (field.value().get_array().get(list)) return false;
    for (auto stream_or_error : list) {
      od::value stream;
      if (std::move(stream_or_error).get(stream) || !OnDemandStream(stream, builder, metadata)) return false;
    }
  }
  if (!has_streams) return false;
  // Nothing may follow the top object (the DOM path calls that malformed JSON).
  const char* at = nullptr;
  return doc.current_location().get(at) == simdjson::OUT_OF_BOUNDS;
}

// ---- protobuf ----

struct ProtoEntry {
  int64_t ts_ns = 0;
  std::string_view line;
  std::vector<model::FieldView> metadata;  // views into the message
};

base::Status DecodeTimestamp(std::string_view bytes, int64_t& ns) {
  WireReader r(bytes);
  int64_t seconds = 0;
  int64_t nanos = 0;
  while (!r.done()) {
    ASSIGN_OR_RETURN(FieldKey key, r.NextKey());
    if (key.number == 1) {
      ASSIGN_OR_RETURN(uint64_t v, r.ReadVarintField(key, "Timestamp.seconds"));
      seconds = static_cast<int64_t>(v);
    } else if (key.number == 2) {
      ASSIGN_OR_RETURN(uint64_t v, r.ReadVarintField(key, "Timestamp.nanos"));
      nanos = static_cast<int64_t>(static_cast<int32_t>(v));  // int32: the low 32 bits, sign-extended
    } else {
      RETURN_IF_ERROR(r.Skip(key));
    }
  }
  if (nanos < 0 || nanos > 999999999) return base::InvalidArgument("timestamp: nanos out of range");
  __int128 total = static_cast<__int128>(seconds) * 1000000000 + nanos;
  if (total > std::numeric_limits<int64_t>::max() || total < std::numeric_limits<int64_t>::min()) {
    return base::InvalidArgument("timestamp: out of range (1677..2262)");
  }
  ns = static_cast<int64_t>(total);
  return base::Status::Ok();
}

base::Status DecodeLabelPair(std::string_view bytes, model::FieldView& out) {
  WireReader r(bytes);
  while (!r.done()) {
    ASSIGN_OR_RETURN(FieldKey key, r.NextKey());
    if (key.number == 1) {
      ASSIGN_OR_RETURN(out.name, r.ReadBytesField(key, "LabelPairAdapter.name"));
    } else if (key.number == 2) {
      ASSIGN_OR_RETURN(out.value, r.ReadBytesField(key, "LabelPairAdapter.value"));
    } else {
      RETURN_IF_ERROR(r.Skip(key));
    }
  }
  if (!IsValidUtf8(out.name) || !IsValidUtf8(out.value)) {
    return base::InvalidArgument("structured metadata: invalid UTF-8");
  }
  if (out.name.empty()) return base::InvalidArgument("structured metadata: empty name");
  return base::Status::Ok();
}

base::Status DecodeEntry(std::string_view bytes, ProtoEntry& out) {
  WireReader r(bytes);
  while (!r.done()) {
    ASSIGN_OR_RETURN(FieldKey key, r.NextKey());
    switch (key.number) {
      case 1: {
        ASSIGN_OR_RETURN(std::string_view ts, r.ReadBytesField(key, "EntryAdapter.timestamp"));
        RETURN_IF_ERROR(DecodeTimestamp(ts, out.ts_ns));
        break;
      }
      case 2: {
        ASSIGN_OR_RETURN(out.line, r.ReadBytesField(key, "EntryAdapter.line"));
        break;
      }
      case 3: {
        ASSIGN_OR_RETURN(std::string_view pair, r.ReadBytesField(key, "EntryAdapter.structuredMetadata"));
        model::FieldView f;
        RETURN_IF_ERROR(DecodeLabelPair(pair, f));
        out.metadata.push_back(f);
        break;
      }
      default: RETURN_IF_ERROR(r.Skip(key));  // 4 = parsed (query side only), unknown fields
    }
  }
  if (!IsValidUtf8(out.line)) return base::InvalidArgument("line: invalid UTF-8");
  return base::Status::Ok();
}

void DecodeProtoStream(std::string_view bytes, size_t index, PushBuilder& builder) {
  WireReader r(bytes);
  std::string_view label_text;
  std::vector<std::string_view> entries;
  while (!r.done()) {
    auto key = r.NextKey();
    base::Status st = key.status();
    if (st.ok()) {
      if (key->number == 1) {
        auto v = r.ReadBytesField(*key, "StreamAdapter.labels");
        if (v.ok()) label_text = *v;
        st = v.status();
      } else if (key->number == 2) {
        auto v = r.ReadBytesField(*key, "StreamAdapter.entries");
        if (v.ok()) entries.push_back(*v);
        st = v.status();
      } else {
        st = r.Skip(*key);  // 3 = hash (internal), unknown fields
      }
    }
    if (!st.ok()) return builder.RejectMalformedStream(index, st.message(), std::max<size_t>(1, entries.size()));
  }
  const size_t count = std::max<size_t>(1, entries.size());
  auto labels = ParseLabelString(label_text);
  if (!labels.ok()) return builder.RejectLabels(label_text, labels.status().message(), count);
  Stream stream = builder.MakeStream(std::move(labels).value(), count);
  if (!stream.ok) return;
  ProtoEntry entry;
  for (size_t i = 0; i < entries.size(); ++i) {
    entry.ts_ns = 0;
    entry.line = {};
    entry.metadata.clear();
    base::Status st = DecodeEntry(entries[i], entry);
    if (!st.ok()) {
      builder.RejectMalformedEntry(stream, i, st.message());
      continue;
    }
    builder.AddEntry(stream, entry.ts_ns, entry.line, entry.metadata);
  }
}

}  // namespace

size_t PushResult::RejectedEntries() const {
  size_t n = 0;
  for (const auto& r : rejected) n += r.entries;
  return n;
}

base::Result<model::LabelSet> ParseLabelString(std::string_view text) { return LabelParser(text).Parse(); }

std::string FormatLabels(const model::LabelSet& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ", ";
    out += labels[i].name;
    out += '=';
    AppendGoQuoted(out, labels[i].value);
  }
  out += '}';
  return out;
}

base::Result<PushResult> DecodePushJson(std::string_view body, const PushOptions& options,
                                        model::RecordBatchBuilder* encode_into) {
  // The padded copy of the body is kept per thread (sparing its allocation and the page faults of fresh memory on
  // every request); a rare huge body gets its own, so a thread does not keep its buffer.
  thread_local std::string reused_padded;
  std::string own_padded;
  std::string& padded = body.size() <= kReusedBuffersMaxBytes ? reused_padded : own_padded;
  padded.assign(body);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');  // read by simdjson, never part of the document
  return DecodePushJsonPadded(std::string_view(padded.data(), body.size()), options, encode_into);
}

base::Result<PushResult> DecodePushJsonPadded(std::string_view body, const PushOptions& options,
                                              model::RecordBatchBuilder* encode_into) {
  // Stops at the first non-blank byte (a full scan of a 250 KB body cost a fifth of the decode).
  if (body.find_first_not_of(" \t\n\r") == std::string_view::npos) return base::InvalidArgument("empty body");

  // The usual body goes through On-Demand, which reads values where they are instead of building a DOM first. Any
  // input it does not expect makes it give up: what it added is undone and the DOM path decodes the body from the
  // start, so every error and rejection comes from one place.
  std::optional<model::RecordBatchBuilder::Mark> mark;
  if (encode_into != nullptr) mark = encode_into->Position();
  {
    PushBuilder builder(options, encode_into);
    if (DecodeOnDemand(body, builder)) return builder.Take();
  }
  if (encode_into != nullptr) encode_into->RewindTo(*mark);
  return DecodeDom(body, options, encode_into);
}

base::Result<PushResult> DecodePushProto(std::string_view message, const PushOptions& options,
                                         model::RecordBatchBuilder* encode_into) {
  PushBuilder builder(options, encode_into);
  WireReader r(message);
  size_t index = 0;
  while (!r.done()) {
    auto key = r.NextKey();
    base::Status st = key.status();
    if (st.ok()) {
      if (key->number == 1) {
        auto bytes = r.ReadBytesField(*key, "PushRequest.streams");
        st = bytes.status();
        if (st.ok()) DecodeProtoStream(*bytes, index++, builder);
      } else {
        st = r.Skip(*key);  // 2 = format (server-internal), unknown fields
      }
    }
    if (!st.ok()) {
      // Nothing decoded yet: the body is not a PushRequest at all. Otherwise keep what came before the damage.
      if (builder.empty()) return st;
      builder.RejectMalformedStream(index, st.message() + " (the rest of the request was dropped)", 1);
      break;
    }
  }
  return builder.Take();
}

}  // namespace strata::ingest::loki
