#pragma once
// Strata's own logs: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-27T19:40:33.123456789Z","level":"info","msg":"listening","addr":"127.0.0.1:3100"}
// Thread-safe (lines never interleave); below-level calls cost one atomic load.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "strata/base/status.h"

namespace strata::observability {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

base::Result<LogLevel> ParseLogLevel(std::string_view text);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

using LogKv = std::pair<std::string_view, std::string>;
void Log(LogLevel level, std::string_view msg, std::initializer_list<LogKv> kv = {});

inline void LogDebug(std::string_view msg, std::initializer_list<LogKv> kv = {}) {
  if (LogEnabled(LogLevel::kDebug)) Log(LogLevel::kDebug, msg, kv);
}
inline void LogInfo(std::string_view msg, std::initializer_list<LogKv> kv = {}) { Log(LogLevel::kInfo, msg, kv); }
inline void LogWarn(std::string_view msg, std::initializer_list<LogKv> kv = {}) { Log(LogLevel::kWarn, msg, kv); }
inline void LogError(std::string_view msg, std::initializer_list<LogKv> kv = {}) { Log(LogLevel::kError, msg, kv); }

}  // namespace strata::observability
