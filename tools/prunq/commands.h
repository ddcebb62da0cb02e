// The subcommands of `prunq`. Each lives in its own cmd_<name>.cpp, is thin over the library,
// and receives the arguments after its name. Return value: the process exit code (0 on success).
// Usage mistakes throw UsageError; runtime failures throw prunq::Error (main maps both).
#pragma once
#include <string>
#include <vector>

namespace prunq::cli {

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;  // one line for `prunq --help`
  int (*run)(const Args& args);
};

int cmd_train(const Args& args);
int cmd_eval(const Args& args);
int cmd_inspect(const Args& args);
int cmd_import(const Args& args);
int cmd_export(const Args& args);
int cmd_run(const Args& args);

// Every command, in the order `prunq --help` lists them.
const std::vector<Command>& all_commands();

}  // namespace prunq::cli
