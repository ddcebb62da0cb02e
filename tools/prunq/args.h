// Command-line parsing shared by every subcommand. Each command declares its flags and
// positionals once; the same declaration drives parsing, validation and the --help text, so the
// help can never drift from what is accepted. Mistakes by the user throw UsageError (exit 2),
// everything else is a prunq::Error or std::exception (exit 1).
#pragma once
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace prunq::cli {

// A mistake in how prunq was called: unknown flag, missing value, malformed number. The message
// says what was wrong; `usage` is the short usage of the command it concerns (synopsis + a
// pointer to --help), printed after the error.
class UsageError : public std::runtime_error {
 public:
  UsageError(const std::string& what, std::string usage) : std::runtime_error(what), usage_(std::move(usage)) {}
  const std::string& usage() const { return usage_; }

 private:
  std::string usage_;
};

// How a flag is typed on the command line: "-o" for one-letter names, "--epochs" otherwise.
std::string spelled(const std::string& name);

// The result of parsing: flag values by name (without dashes) and positionals in order.
class ParsedArgs {
 public:
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // Last value given for the flag, or `def` when absent.
  std::string get(const std::string& name, const std::string& def = "") const;
  // Every value given for a repeatable flag, in command-line order.
  std::vector<std::string> all(const std::string& name) const;
  // Numeric accessors: the whole value must parse and lie in [min, max], else UsageError naming the flag.
  int64_t get_int(const std::string& name, int64_t def, int64_t min = INT64_MIN, int64_t max = INT64_MAX) const;
  double get_double(const std::string& name, double def, double min, double max) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  friend class ArgParser;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
  std::string usage_;
};

class ArgParser {
 public:
  // command: "train"; synopsis: the arguments after it ("--arch A --data D [options]");
  // summary: one paragraph saying what the command does.
  ArgParser(std::string command, std::string synopsis, std::string summary);

  // A boolean switch (--json).
  ArgParser& flag(const std::string& name, const std::string& help);
  // A flag taking one value (--epochs N, or -o OUT for a one-letter name). repeatable: may be
  // given several times (--input).
  ArgParser& option(const std::string& name, const std::string& value_name, const std::string& help,
                    bool repeatable = false);
  // A positional argument; required ones must come before optional ones.
  ArgParser& positional(const std::string& name, const std::string& help, bool required = true);
  // Free text appended to --help (examples, notes).
  ArgParser& epilog(const std::string& text);

  // Accepts "--name value", "--name=value", "-o value" and "--" (everything after it is positional).
  // "-h"/"--help" is handled by the caller through wants_help(); parse() throws UsageError.
  ParsedArgs parse(const std::vector<std::string>& args) const;
  static bool wants_help(const std::vector<std::string>& args);
  std::string help() const;
  std::string short_usage() const;  // the synopsis line and a pointer to --help

 private:
  struct Spec {
    std::string name, value_name, help;
    bool takes_value = false, repeatable = false;
  };
  struct Positional {
    std::string name, help;
    bool required = true;
  };
  const Spec* find(const std::string& name) const;
  std::string command_, synopsis_, summary_, epilog_;
  std::vector<Spec> specs_;
  std::vector<Positional> positionals_;
};

}  // namespace prunq::cli
