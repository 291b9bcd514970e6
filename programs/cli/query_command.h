#pragma once
// `strata query '<logql>'`: runs a range query against a Strata (or Loki) server over HTTP, as `logcli query`
// does, and prints log entries or the metric matrix. A --limit larger than --batch is served by several
// requests, each continuing where the previous one stopped (see RunQuery).

#include <CLI/CLI.hpp>
#include <string>

namespace strata::cli {

// Flags shared by query and tail.
struct ClientOptions {
  std::string addr = "http://127.0.0.1:3100";
  std::string org_id;
  std::string output = "table";
};

struct QueryOptions {
  ClientOptions client;
  std::string query;
  std::string since = "1h";
  std::string from;
  std::string to;
  int limit = 30;
  int batch = 1000;
  std::string direction = "backward";
  std::string step;
  int timeout_seconds = 300;
};

// Adds the subcommand and binds its flags to `options` (which must outlive parsing).
CLI::App* AddQueryCommand(CLI::App& app, QueryOptions& options);
void AddClientFlags(CLI::App* cmd, ClientOptions& options);

// Returns the process exit code: 0 on success, 1 when the server or the network failed, 2 for bad flag values.
int RunQuery(const QueryOptions& options);

}  // namespace strata::cli
