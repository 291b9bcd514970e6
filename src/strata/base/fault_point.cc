#include "strata/base/fault_point.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace strata::base {
namespace {

struct FaultPoint {
  std::string name;
  uint64_t die_at_hit = 1;
  std::atomic<uint64_t> hits{0};
};

struct FaultConfig {
  // unique_ptr because std::atomic is not movable; the vector never changes after parsing.
  std::vector<std::unique_ptr<FaultPoint>> points;
};

// Raw write(2): stdio may be mid-use on another thread, and we are about to die without flushing anything.
void WriteStderr(std::string_view msg) {
  while (!msg.empty()) {
    ssize_t n = ::write(STDERR_FILENO, msg.data(), msg.size());
    if (n <= 0) return;
    msg.remove_prefix(static_cast<size_t>(n));
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseCount(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v == 0) return false;
  *out = v;
  return true;
}

FaultConfig* ParseConfig() {
  auto* config = new FaultConfig();
  const char* env = std::getenv("STRATA_FAULT_POINTS");
  if (env == nullptr) return config;
  std::string_view rest(env);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    auto point = std::make_unique<FaultPoint>();
    size_t at = item.find('@');
    if (at != std::string_view::npos) {
      if (!ParseCount(item.substr(at + 1), &point->die_at_hit)) {
        // A typo must not silently disable a crash test, but it must not crash a server either: say so, skip it.
        WriteStderr("strata: ignoring malformed STRATA_FAULT_POINTS entry '");
        WriteStderr(item);
        WriteStderr("' (expected name or name@N with N >= 1)\n");
        continue;
      }
      item = Trim(item.substr(0, at));
    }
    point->name = std::string(item);
    config->points.push_back(std::move(point));
  }
  return config;
}

// Leaked on purpose: fault points may be hit by threads still running during static destruction.
const FaultConfig& Config() {
  static const FaultConfig* const config = ParseConfig();  // thread-safe initialization (magic statics)
  return *config;
}

// 0 = not parsed yet, 1 = disabled, 2 = enabled. Constant-initialized, so usable before main().
std::atomic<int> g_state{0};

int InitState() {
  int state = Config().points.empty() ? 1 : 2;
  g_state.store(state, std::memory_order_release);
  return state;
}

}  // namespace

bool FaultPointsEnabled() {
  int state = g_state.load(std::memory_order_relaxed);
  if (state == 0) state = InitState();
  return state == 2;
}

void HitFaultPoint(std::string_view name) {
  if (!FaultPointsEnabled()) return;
  for (const auto& point : Config().points) {
    if (point->name != name) continue;
    uint64_t hit = point->hits.fetch_add(1, std::memory_order_relaxed) + 1;
    if (hit == point->die_at_hit) {
      WriteStderr("strata: fault point '");
      WriteStderr(name);
      WriteStderr("' reached, raising SIGKILL\n");
      std::raise(SIGKILL);
    }
  }
}

}  // namespace strata::base
