#include "strata/observability/log.h"

#include <unistd.h>

#include <atomic>
#include <mutex>

#include "strata/base/clock.h"
#include "strata/common/json_writer.h"
#include "strata/model/time_format.h"

namespace strata::observability {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_write_mu;

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

base::Result<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn" || text == "warning") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  return base::InvalidArgument("log level must be one of debug, info, warn, error; got \"" + std::string(text) +
                               "\"");
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogKv> kv) {
  if (!LogEnabled(level)) return;
  std::string line = "{\"ts\":\"" + model::FormatRfc3339Nanos(base::SystemClock::Get().NowNanos()) +
                     "\",\"level\":\"" + LevelName(level) + "\",\"msg\":";
  common::AppendJsonString(line, msg);
  for (const auto& [k, v] : kv) {
    line += ',';
    common::AppendJsonString(line, k);
    line += ':';
    common::AppendJsonString(line, v);
  }
  line += "}\n";
  std::lock_guard lock(g_write_mu);
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

}  // namespace strata::observability
