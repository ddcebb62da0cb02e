// The subcommands of `prunq`. Each lives in its own cmd_<name>.cpp, is thin over the library,
// and is registered with one line in commands.cpp. A command declares its options on the
// CommandLine it is given, calls cl.parse(), does its work and returns the exit code (0 on
// success). Usage mistakes throw UsageError (cl.usage_error); runtime failures throw
// prunq::Error; main maps both to one line on stderr and exit code 2 or 1.
#pragma once
#include <vector>

#include "prunq/args.h"

namespace prunq::cli {

struct Command {
  const char* name;
  const char* summary;  // one line for `prunq --help`
  int (*run)(CommandLine& cl);
};

int cmd_train(CommandLine& cl);
int cmd_eval(CommandLine& cl);
int cmd_inspect(CommandLine& cl);
int cmd_import(CommandLine& cl);
int cmd_export(CommandLine& cl);
int cmd_run(CommandLine& cl);
int cmd_recipes(CommandLine& cl);
int cmd_prune(CommandLine& cl);
int cmd_sensitivity(CommandLine& cl);

// Every command, in the order `prunq --help` lists them.
const std::vector<Command>& all_commands();

}  // namespace prunq::cli
