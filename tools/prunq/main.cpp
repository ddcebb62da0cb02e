// Entry point of the `prunq` command: picks the subcommand, and turns every failure into one
// line on stderr ("prunq: error: ...") and an exit code: 2 for usage mistakes, 1 for anything
// that went wrong while working. Nothing a user passes may crash the process.
#include <exception>
#include <iostream>
#include <new>
#include <string>

#include "core/error.h"
#include "prunq/args.h"
#include "prunq/commands.h"
#include "prunq/version.h"

namespace prunq::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntimeError = 1;
constexpr int kExitUsageError = 2;

std::string top_level_help() {
  std::string s =
      "usage: prunq <command> [options]\n\n"
      "prunq prunes, quantizes and runs deep neural networks on the CPU.\n\ncommands:\n";
  for (const Command& c : all_commands()) {
    std::string name = c.name;
    s += "  " + name + std::string(name.size() < 14 ? 14 - name.size() : 1, ' ') + c.summary + "\n";
  }
  s += "\nRun 'prunq <command> --help' for the options of a command.\n"
       "'prunq --version' prints the version and the features this binary was built with.\n";
  return s;
}

int dispatch(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "prunq: error: no command given\n\n" << top_level_help();
    return kExitUsageError;
  }
  const std::string& name = args[0];
  if (name == "-h" || name == "--help" || name == "help") {
    std::cout << top_level_help();
    return kExitOk;
  }
  if (name == "--version" || name == "version") {
    std::cout << version_text();
    return kExitOk;
  }
  for (const Command& c : all_commands()) {
    if (name != c.name) continue;
    CommandLine cl(c.name, Args(args.begin() + 1, args.end()));
    cl.describe(c.summary);  // commands usually replace it with a longer paragraph
    try {
      return c.run(cl);
    } catch (const HelpPrinted&) {
      return kExitOk;
    }
  }
  std::cerr << "prunq: error: unknown command '" << name << "'\n\n" << top_level_help();
  return kExitUsageError;
}

}  // namespace
}  // namespace prunq::cli

int main(int argc, char** argv) {
  using namespace prunq::cli;
  try {
    return dispatch(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "prunq: error: " << e.what() << "\n\n" << e.usage();
    return kExitUsageError;
  } catch (const std::bad_alloc&) {
    std::cerr << "prunq: error: out of memory\n";
    return kExitRuntimeError;
  } catch (const std::exception& e) {
    // prunq::Error and anything the standard library throws: already a readable message.
    std::cerr << "prunq: error: " << e.what() << "\n";
    return kExitRuntimeError;
  } catch (...) {
    std::cerr << "prunq: error: unexpected failure\n";
    return kExitRuntimeError;
  }
}
