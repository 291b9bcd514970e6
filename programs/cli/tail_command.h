#pragma once
// `strata tail '<logql>'`: follows a live tail over the Loki WebSocket API (/loki/api/v1/tail), printing each
// frame's entries as it arrives, like `logcli query --tail`.
//
// Ending: the server closing with 1000 (normal) exits 0; any other close code (Loki sends 1011 with the reason
// on errors), a dropped connection or a refused upgrade (the server's status and text/plain body) exit 1.
// SIGINT/SIGTERM send a normal close and exit 0 once the server acknowledges it (or after a short grace period);
// a second signal drops the connection at once.

#include <CLI/CLI.hpp>
#include <string>

#include "cli/query_command.h"

namespace strata::cli {

struct TailOptions {
  ClientOptions client;
  std::string query;
  std::string since = "1h";
  std::string start;
  int limit = 30;
  int delay_for = 0;
};

CLI::App* AddTailCommand(CLI::App& app, TailOptions& options);

int RunTail(const TailOptions& options);

}  // namespace strata::cli
