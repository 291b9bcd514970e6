// strata: one binary, many tools. `strata serve` runs the server; `strata version` prints the build.
// Later issues add query, tail, push and bench subcommands here.

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "cli/query_command.h"
#include "cli/tail_command.h"
#include "strata/server/config.h"
#include "strata/server/server_app.h"
#include "strata/server/version.h"
#include "strata/storage/part/part_inspect.h"
#include "strata/storage/part/part_reader.h"

namespace {

using strata::server::Config;

int Serve(const std::string& config_file, const std::map<std::string, std::string>& flags, bool print_config) {
  Config config;
  strata::base::Status st;
  if (!config_file.empty()) st = strata::server::ApplyYamlFile(config, config_file);
  if (st.ok()) st = strata::server::ApplyEnvironment(config, strata::server::ProcessEnvironment());
  if (st.ok()) st = strata::server::ApplyFlags(config, flags);
  if (!st.ok()) {
    std::cerr << "strata serve: " << st.message() << "\n";
    return 2;
  }
  if (print_config) {
    std::cout << config.ToYaml();
    return 0;
  }
  return strata::server::RunServer(config);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Strata: a log platform (Loki-, Elasticsearch- and OTLP-compatible ingest and query)", "strata"};
  app.require_subcommand(1);

  CLI::App* serve = app.add_subcommand("serve", "Run the server on the embedded storage");
  std::string config_file;
  bool print_config = false;
  serve->add_option("-c,--config", config_file, "YAML configuration file (env STRATA_CONFIG)")
      ->envname("STRATA_CONFIG");
  serve->add_flag("--print-config", print_config, "Print the effective configuration as YAML and exit");
  // One flag per configuration key; values are validated by the config table, not by CLI11, so that the file,
  // the environment and the flags share one parser and one set of error messages.
  std::map<std::string, std::string> raw;  // CLI11 writes flag text here; std::map nodes are stable
  for (const auto& key : strata::server::ConfigKeys()) {
    serve->add_option(key.flag, raw[key.key], key.help + " (env " + key.env + ", config key " + key.key + ")");
  }

  app.add_subcommand("version", "Print the version and exit");

  CLI::App* admin = app.add_subcommand("admin", "Administration tools for a data directory");
  admin->require_subcommand(1);
  CLI::App* inspect = admin->add_subcommand("inspect", "Print a part's structure and the bytes per column and index");
  std::string part_path;
  bool list_blocks = false;
  inspect->add_option("part", part_path, "Path of a .part file")->required();
  inspect->add_flag("--blocks", list_blocks, "Also list every block");

  strata::cli::QueryOptions query_options;
  CLI::App* query = strata::cli::AddQueryCommand(app, query_options);
  strata::cli::TailOptions tail_options;
  CLI::App* tail = strata::cli::AddTailCommand(app, tail_options);

  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("version")) {
    std::cout << "strata " << strata::server::kVersion << " (" << strata::server::kGitRevision << ")\n";
    return 0;
  }
  if (query->parsed()) return strata::cli::RunQuery(query_options);
  if (tail->parsed()) return strata::cli::RunTail(tail_options);
  if (inspect->parsed()) {
    auto part = strata::storage::PartReader::Open(part_path);
    if (!part.ok()) {
      std::cerr << "strata admin inspect: " << part.status().message() << "\n";
      return 1;
    }
    std::cout << strata::storage::InspectPart(**part, list_blocks);
    return 0;
  }
  if (app.got_subcommand("serve")) {
    std::map<std::string, std::string> flag_values;
    for (const auto& key : strata::server::ConfigKeys()) {
      if (serve->get_option(key.flag)->count() > 0) flag_values[key.key] = raw[key.key];
    }
    return Serve(config_file, flag_values, print_config);
  }
  return 0;
}
