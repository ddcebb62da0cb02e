// Command-line parsing shared by every subcommand, on CLI11. A command declares its positionals,
// options and flags once on a CommandLine, bound straight to its variables; the same
// declaration drives parsing, type conversion, validation and the --help text, so the help can
// never drift from what is accepted, and every command reports mistakes in the same words.
// Mistakes by the user throw UsageError (exit 2, the command's usage printed after the one-line
// error); everything else is a prunq::Error or std::exception (exit 1).
//
// A command is written as
//   int cmd_eval(CommandLine& cl) {
//     std::string model, data;
//     cl.describe("Evaluates a classifier ...");
//     cl.positional("MODEL", model, "model file (.prunq or .onnx)");
//     cl.option("--data", data, "D", "dataset: ...")->required();
//     cl.parse();                 // prints --help (HelpPrinted) or throws UsageError
//     ...                         // the work; cl.usage_error("...") for semantic mistakes
//   }
// and registered with one line in commands.cpp.
#pragma once
#include <CLI/CLI.hpp>

#include <concepts>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace prunq::cli {

using Args = std::vector<std::string>;

// A mistake in how prunq was called: unknown option, missing or malformed value. The message
// says what was wrong; `usage` is the short usage of the command it concerns (synopsis + a
// pointer to --help), printed after the error.
class UsageError : public std::runtime_error {
 public:
  UsageError(const std::string& what, std::string usage) : std::runtime_error(what), usage_(std::move(usage)) {}
  const std::string& usage() const { return usage_; }

 private:
  std::string usage_;
};

// Thrown by CommandLine::parse() once the help was printed; main turns it into exit code 0.
struct HelpPrinted {};

class CommandLine {
 public:
  // command: "train"; args: what followed the command's name.
  CommandLine(std::string command, Args args);

  // The paragraph --help shows under the usage line.
  CommandLine& describe(std::string text);
  // What follows "prunq <command>" in the usage line. Without it the line is derived from the
  // declarations: positionals, required options, then "[options]".
  CommandLine& synopsis(std::string text);
  // Free text after the options in --help (examples, notes).
  CommandLine& epilog(std::string text);

  // Declarations. `name` is "MODEL" for a positional, "-o" or "--epochs" for an option;
  // value_name is what --help shows after it ("N"). The bound variable keeps its value when the
  // option is absent; ->capture_default_str() on the result shows that value in --help.
  CLI::Option* positional(const std::string& name, std::string& into, const std::string& help, bool required = true);
  CLI::Option* option(const std::string& name, std::string& into, const std::string& value_name,
                      const std::string& help);
  // Integers must be written in decimal and lie in [min, max].
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  CLI::Option* option(const std::string& name, T& into, const std::string& value_name, const std::string& help,
                      int64_t min = std::numeric_limits<T>::min(), int64_t max = std::numeric_limits<T>::max()) {
    return add_integer(app_.add_option(name, into, help), value_name, min, max);
  }
  // Finite numbers in [min, max] ("1e-3" forms accepted).
  template <std::floating_point T>
  CLI::Option* option(const std::string& name, T& into, const std::string& value_name, const std::string& help,
                      double min, double max) {
    return add_number(app_.add_option(name, into, help), value_name, min, max);
  }
  // One of a fixed set of words; the set is listed in --help and in the error.
  CLI::Option* choice(const std::string& name, std::string& into, const std::vector<std::string>& choices,
                      const std::string& help);
  // May be given several times, one value each ("--input a --input b"), kept in order.
  CLI::Option* repeated(const std::string& name, std::vector<std::string>& into, const std::string& value_name,
                        const std::string& help);
  // A switch without a value (--json).
  CLI::Option* flag(const std::string& name, bool& into, const std::string& help);

  // Parses the arguments into the bound variables. Prints the help and throws HelpPrinted when
  // -h/--help is among them (before any "--", whatever else is wrong); throws UsageError.
  void parse();
  // Whether the option was on the command line (after parse()).
  bool given(const std::string& name) const { return app_.count(name) > 0; }
  // A usage mistake found after parsing (an option that does not fit the others).
  [[noreturn]] void usage_error(const std::string& what) const;

  const std::string& command() const { return command_; }
  std::string help() const;
  std::string short_usage() const;  // the synopsis line and a pointer to --help
  CLI::App& app() { return app_; }  // for CLI11's own relations (->excludes, ->needs, ...)

 private:
  CLI::Option* add_integer(CLI::Option* o, const std::string& value_name, int64_t min, int64_t max);
  CLI::Option* add_number(CLI::Option* o, const std::string& value_name, double min, double max);
  std::string usage_line() const;
  std::string describe_parse_error(const CLI::ParseError& e) const;

  std::string command_, summary_, synopsis_, epilog_;
  Args args_;
  CLI::App app_;
};

}  // namespace prunq::cli
