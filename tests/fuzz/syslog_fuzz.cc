// libFuzzer target: the syslog parser and the RFC 6587 framer on arbitrary bytes. Asserts: a message fails only when
// empty or over the limit; parsed records carry sorted unique labels including facility and level, and unique field
// names; the framer yields the same frames and events however the stream is split, never a frame over the limit,
// and never buffers more than the limit.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "strata/ingest/syslog/syslog_framer.h"
#include "strata/ingest/syslog/syslog_parser.h"

namespace {

using strata::ingest::syslog::SyslogFramer;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

std::vector<std::string> Frames(std::string_view stream, size_t step, size_t max) {
  std::vector<std::string> out;
  SyslogFramer framer(max);
  auto sink = [&](SyslogFramer::Event e, std::string_view frame) {
    if (e == SyslogFramer::Event::kMessage) {
      Check(frame.size() <= max, "frame over the limit");
      out.emplace_back(frame);
    } else {
      out.push_back(e == SyslogFramer::Event::kOversized ? "<oversized>" : "<truncated>");
    }
  };
  for (size_t i = 0; i < stream.size(); i += step) {
    framer.Feed(stream.substr(i, step), sink);
    Check(framer.buffered() <= max, "framer buffers more than the limit");
  }
  framer.Finish(sink);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  strata::ingest::syslog::ParseOptions options;
  options.receive_time_ns = 1718452800LL * 1000000000LL;
  options.max_message_bytes = 256;
  options.extra_labels = {{"env", "fuzz"}};
  auto parsed = strata::ingest::syslog::ParseSyslogMessage(in, options);
  std::string_view trimmed = in;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == '\0')) {
    trimmed.remove_suffix(1);
  }
  Check(parsed.ok() == (!trimmed.empty() && trimmed.size() <= options.max_message_bytes),
        "failed on a non-empty message within the limit (or accepted an empty/oversized one)");
  if (parsed.ok()) {
    const auto& r = parsed->record;
    std::set<std::string> labels;
    for (size_t i = 0; i < r.labels.size(); ++i) {
      if (i) Check(r.labels[i - 1].name < r.labels[i].name, "labels not sorted and unique");
      labels.insert(r.labels[i].name);
    }
    Check(labels.count("facility") && labels.count("level") && labels.count("env"), "missing labels");
    std::set<std::string> names;
    for (const auto& f : r.fields) Check(names.insert(f.name).second, "duplicate field name");
  }

  const auto once = Frames(in, in.size() + 1, 64);
  for (size_t step : {1, 3, 17}) Check(Frames(in, step, 64) == once, "framing depends on how the stream is split");
  return 0;
}
