// How prunq is called: --help everywhere, --version, and usage mistakes (unknown command or
// flag, missing or malformed values) giving "prunq: error: ..." on stderr and exit code 2.
#include <gtest/gtest.h>

#include "cli/cli_runner.h"

namespace prunq::testing {
namespace {

const std::vector<std::string> kCommands = {"train", "eval", "inspect", "run", "import", "export", "recipes",
                                             "prune", "sensitivity"};

TEST(CliUsage, TopLevelHelpListsEveryCommand) {
  TempDir t;
  for (const std::string flag : {"--help", "-h", "help"}) {
    CliResult r = run_prunq({flag}, t);
    EXPECT_EQ(r.exit_code, 0) << flag;
    EXPECT_EQ(r.err, "") << flag;
    EXPECT_EQ(r.out.rfind("usage: prunq <command>", 0), 0u) << r.out;
    for (const std::string& c : kCommands) EXPECT_NE(r.out.find("\n  " + c + " "), std::string::npos) << c;
  }
}

TEST(CliUsage, EveryCommandHasHelp) {
  TempDir t;
  for (const std::string& c : kCommands) {
    for (const std::string flag : {"--help", "-h"}) {
      CliResult r = run_prunq({c, flag}, t);
      EXPECT_EQ(r.exit_code, 0) << c << " " << flag << ": " << r.err;
      EXPECT_EQ(r.err, "") << c;
      EXPECT_EQ(r.out.rfind("usage: prunq " + c, 0), 0u) << r.out;
      EXPECT_NE(r.out.find("-h, --help"), std::string::npos) << c;
    }
  }
  // --help wins over other (even wrong) arguments, so a user can always reach it.
  CliResult r = run_prunq({"train", "--bogus", "--help"}, t);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("usage: prunq train", 0), 0u);
}

TEST(CliUsage, VersionNamesFeatures) {
  TempDir t;
  CliResult r = run_prunq({"--version"}, t);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("prunq ", 0), 0u);
  EXPECT_NE(r.out.find("\nonnx: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nisa: "), std::string::npos) << r.out;
}

TEST(CliUsage, NoCommandIsAUsageError) {
  TempDir t;
  CliResult r = run_prunq({}, t);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("prunq: error: no command given", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("usage: prunq <command>"), std::string::npos);
  EXPECT_EQ(r.out, "");
}

TEST(CliUsage, UnknownCommandShowsUsage) {
  TempDir t;
  CliResult r = run_prunq({"frobnicate", "x"}, t);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("prunq: error: unknown command 'frobnicate'\n", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("  inspect "), std::string::npos) << "usage should list the commands";
}

TEST(CliUsage, UnknownFlagNamesItAndShowsUsage) {
  TempDir t;
  for (const std::string& c : kCommands) {
    CliResult r = run_prunq({c, "--bogus-flag", "x"}, t);
    EXPECT_EQ(r.exit_code, 2) << c;
    EXPECT_EQ(r.err.rfind("prunq: error: unknown option '--bogus-flag' for 'prunq " + c + "'\n", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("usage: prunq " + c), std::string::npos) << r.err;
  }
  CliResult r = run_prunq({"train", "-x"}, t);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown option '-x'"), std::string::npos) << r.err;
}

TEST(CliUsage, MalformedValuesAreUsageErrors) {
  TempDir t;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"train", "--arch", "mlp", "--data", "d", "--epochs", "three"}, "--epochs expects an integer, got 'three'"},
      {{"train", "--arch", "mlp", "--data", "d", "--epochs", "-1"}, "--epochs must be in [0, "},
      {{"train", "--arch", "mlp", "--data", "d", "--lr", "1e-3x"}, "--lr expects a number, got '1e-3x'"},
      {{"train", "--arch", "mlp", "--data", "d", "--lr", "nan"}, "--lr expects a number"},
      {{"train", "--arch", "mlp", "--data", "d", "--optimizer", "rmsprop"}, "--optimizer must be adam, adamw or sgd"},
      {{"train", "--arch", "mlp", "--data", "d", "--epochs"}, "option '--epochs' needs a value"},
      {{"train", "--arch", "mlp", "--arch", "lenet5", "--data", "d"}, "option '--arch' given more than once"},
      {{"train", "--data", "d"}, "missing --arch A (or --from MODEL)"},
      {{"train", "--arch", "mlp"}, "missing --data D"},
      {{"eval", "m.prunq"}, "missing --data D"},
      {{"eval", "m.prunq", "--data", "d", "--json=yes"}, "option '--json' takes no value"},
      {{"inspect"}, "missing argument MODEL"},
      {{"inspect", "a.prunq", "b.prunq"}, "unexpected argument 'b.prunq'"},
      {{"import", "m.onnx"}, "missing -o OUT"},
      {{"import", "m.onnx", "-o", "m.onnx"}, "must be a .prunq file"},
      {{"export", "m.prunq", "-o", "m.prunq"}, "must be a .onnx file"},
      {{"run", "m.prunq", "--input", "x.npy"}, "missing --output-dir DIR"},
  };
  for (const Case& c : cases) {
    CliResult r = run_prunq(c.args, t);
    EXPECT_EQ(r.exit_code, 2) << c.message << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("prunq: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << "expected '" << c.message << "' in:\n" << r.err;
  }
}

TEST(CliUsage, FlagValueMayBeJoinedWithEquals) {
  TempDir t;
  // --epochs=x is parsed as the value "x", so the error is about the value, not the flag.
  CliResult r = run_prunq({"train", "--arch=mlp", "--data=d", "--epochs=x"}, t);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--epochs expects an integer, got 'x'"), std::string::npos) << r.err;
}

TEST(CliUsage, UnknownOptionIsNamedBeforeWhatItMadeMissing) {
  TempDir t;
  // A typo in a required option's name: the typo is the root cause, not the "missing --data".
  CliResult r = run_prunq({"eval", "m.prunq", "--dta", "d"}, t);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("prunq: error: unknown option '--dta' for 'prunq eval'\n", 0), 0u) << r.err;
  r = run_prunq({"eval", "m.prunq", "--dta=d"}, t);
  EXPECT_EQ(r.err.rfind("prunq: error: unknown option '--dta' for 'prunq eval'\n", 0), 0u) << r.err;
}

TEST(CliUsage, HelpShowsRequiredOptionsAndDefaults) {
  TempDir t;
  CliResult r = run_prunq({"eval", "--help"}, t);
  EXPECT_EQ(r.out.rfind("usage: prunq eval MODEL --data D [options]\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("(required)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--split test|train"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(default 512)"), std::string::npos) << r.out;
}

TEST(CliUsage, MissingValueAtTheEndAndChoicesListed) {
  TempDir t;
  CliResult r = run_prunq({"eval", "m.prunq", "--data", "d", "--split", "val"}, t);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--split must be test or train, got 'val'"), std::string::npos) << r.err;
  r = run_prunq({"run", "m.prunq", "--output-dir"}, t);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("option '--output-dir' needs a value (DIR)"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace prunq::testing
