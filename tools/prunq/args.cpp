#include "prunq/args.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace prunq::cli {
namespace {

// A malformed value found by one of the validators below. They run inside CLI11's parse, which
// only swallows its own ValidationError; this one reaches CommandLine::parse() with the full
// message, so every command words a bad value the same way.
class BadValue : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "--epochs" or "-o" as the user typed it; the positional's name for a positional.
std::string display_name(const CLI::Option* o) {
  if (o->get_positional() && !o->nonpositional()) return o->get_name(true);
  if (!o->get_lnames().empty()) return "--" + o->get_lnames()[0];
  return "-" + o->get_snames()[0];
}

bool looks_like_option(const std::string& a) {
  if (a.size() < 2 || a[0] != '-') return false;
  // "-1", "-0.5" are values a user meant as numbers, not options.
  return !(std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.');
}

// How an option reads in "missing --data D": its name and value placeholder.
std::string spelled_with_value(const CLI::Option* o) {
  if (o->get_positional() && !o->nonpositional()) return "argument " + o->get_name(true);
  const std::string type = o->get_type_name();
  return display_name(o) + (o->get_expected_min() > 0 && !type.empty() ? " " + type : "");
}

std::string join_words(const std::vector<std::string>& words) {
  std::string s;
  for (size_t i = 0; i < words.size(); ++i) s += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  return s;
}

}  // namespace

CommandLine::CommandLine(std::string command, Args args)
    : command_(std::move(command)), args_(std::move(args)), app_("", "prunq " + command_) {
  app_.set_help_flag("-h,--help", "show this help and exit");
  // Unknown arguments are collected rather than thrown, so the error can name the first one in
  // prunq's words (and name it even when a later check, like a missing option, also fails).
  app_.allow_extras(true);
  // "--json=yes" is a mistake, not a way to spell true.
  app_.option_defaults()->disable_flag_override();
}

CommandLine& CommandLine::describe(std::string text) {
  summary_ = std::move(text);
  return *this;
}

CommandLine& CommandLine::synopsis(std::string text) {
  synopsis_ = std::move(text);
  return *this;
}

CommandLine& CommandLine::epilog(std::string text) {
  epilog_ = std::move(text);
  return *this;
}

CLI::Option* CommandLine::positional(const std::string& name, std::string& into, const std::string& help,
                                     bool required) {
  CLI::Option* o = app_.add_option(name, into, help);
  return required ? o->required() : o;
}

CLI::Option* CommandLine::option(const std::string& name, std::string& into, const std::string& value_name,
                                 const std::string& help) {
  return app_.add_option(name, into, help)->type_name(value_name);
}

CLI::Option* CommandLine::add_integer(CLI::Option* o, const std::string& value_name, int64_t min, int64_t max) {
  const std::string who = display_name(o);
  // A transform, not a check: the value is rewritten in plain decimal so CLI11's own
  // conversion (which reads "010" as octal) sees exactly the number validated here.
  o->type_name(value_name)->transform(CLI::Validator(
      [who, min, max](std::string& s) {
        int64_t v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size())
          throw BadValue(who + " expects an integer, got '" + s + "'");
        if (v < min || v > max) {
          std::ostringstream os;
          os << who << " must be in [" << min << ", " << max << "], got " << v;
          throw BadValue(os.str());
        }
        s = std::to_string(v);
        return std::string();
      },
      ""));
  return o;
}

CLI::Option* CommandLine::add_number(CLI::Option* o, const std::string& value_name, double min, double max) {
  const std::string who = display_name(o);
  o->type_name(value_name)->transform(CLI::Validator(
      [who, min, max](std::string& s) {
        // strtod: it accepts the "1e-3" forms users type; inf and nan are refused below.
        char* end = nullptr;
        errno = 0;
        const double v = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v))
          throw BadValue(who + " expects a number, got '" + s + "'");
        if (v < min || v > max) {
          std::ostringstream os;
          os << who << " must be in [" << min << ", " << max << "], got " << s;
          throw BadValue(os.str());
        }
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v);  // round-trips, and CLI11 reads it back the same
        s = buf;
        return std::string();
      },
      ""));
  return o;
}

CLI::Option* CommandLine::choice(const std::string& name, std::string& into, const std::vector<std::string>& choices,
                                 const std::string& help) {
  std::string words;
  for (const std::string& c : choices) words += (words.empty() ? "" : "|") + c;
  CLI::Option* o = app_.add_option(name, into, help)->type_name(words);
  const std::string who = display_name(o);
  o->check(CLI::Validator(
      [who, choices](std::string& s) {
        for (const std::string& c : choices)
          if (s == c) return std::string();
        throw BadValue(who + " must be " + join_words(choices) + ", got '" + s + "'");
      },
      ""));
  return o;
}

CLI::Option* CommandLine::repeated(const std::string& name, std::vector<std::string>& into,
                                   const std::string& value_name, const std::string& help) {
  // One value per occurrence: "--input a MODEL" must not swallow MODEL as a second input.
  return app_.add_option(name, into, help)->type_name(value_name)->allow_extra_args(false);
}

CLI::Option* CommandLine::flag(const std::string& name, bool& into, const std::string& help) {
  return app_.add_flag(name, into, help);
}

void CommandLine::parse() {
  for (const std::string& a : args_) {
    if (a == "--") break;
    if (a == "-h" || a == "--help") {
      std::cout << help();
      throw HelpPrinted{};
    }
  }
  // CLI11 takes the arguments in reverse order (it pops them off the back).
  std::vector<std::string> reversed(args_.rbegin(), args_.rend());
  auto first_unknown = [this]() -> std::string {
    for (const std::string& a : app_.remaining()) {
      if (looks_like_option(a))
        return "unknown option '" + a.substr(0, a.find('=')) + "' for 'prunq " + command_ + "'";
      return "unexpected argument '" + a + "'";
    }
    return "";
  };
  try {
    app_.parse(reversed);
  } catch (const BadValue& e) {
    throw UsageError(e.what(), short_usage());
  } catch (const CLI::CallForHelp&) {
    std::cout << help();
    throw HelpPrinted{};
  } catch (const CLI::ParseError& e) {
    // An unknown option is the likelier root cause of whatever else failed (a typo in the name
    // of a required option also makes it "missing"), so it is reported first.
    const std::string unknown = first_unknown();
    throw UsageError(unknown.empty() ? describe_parse_error(e) : unknown, short_usage());
  }
  if (const std::string unknown = first_unknown(); !unknown.empty()) throw UsageError(unknown, short_usage());
}

// CLI11's messages start with the option's name ("--arch: At Most 1 required but received 2");
// they are reworded here so all of prunq's usage errors read alike.
std::string CommandLine::describe_parse_error(const CLI::ParseError& e) const {
  const std::string msg = e.what();
  const CLI::Option* opt = nullptr;
  size_t best = 0;
  for (const CLI::Option* o : app_.get_options()) {
    // Most messages use the name as typed ("--arch"), the flag-override one the bare name ("json").
    std::vector<std::string> names = {o->get_name(o->get_positional() && !o->nonpositional())};
    for (const std::string& l : o->get_lnames()) names.push_back(l);
    for (const std::string& n : names) {
      if (!n.empty() && n.size() > best && msg.compare(0, n.size(), n) == 0 &&
          (msg.size() == n.size() || msg[n.size()] == ':' || msg[n.size()] == ' ')) {
        opt = o;
        best = n.size();
      }
    }
  }
  if (opt) {
    const std::string who = display_name(opt);
    if (dynamic_cast<const CLI::RequiredError*>(&e)) return "missing " + spelled_with_value(opt);
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {
      if (msg.find("flag override") != std::string::npos) return "option '" + who + "' takes no value";
      if (msg.find("At Most") != std::string::npos) return "option '" + who + "' given more than once";
      if (msg.find("missing") != std::string::npos)
        return "option '" + who + "' needs a value (" + opt->get_type_name() + ")";
    }
  }
  // Anything else (--a excludes --b, ...): CLI11's words, in prunq's lower-case style.
  std::string s = msg;
  if (!s.empty() && opt == nullptr) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

void CommandLine::usage_error(const std::string& what) const { throw UsageError(what, short_usage()); }

std::string CommandLine::usage_line() const {
  if (!synopsis_.empty()) return "usage: prunq " + command_ + " " + synopsis_;
  std::string s = "usage: prunq " + command_;
  bool any_optional = false;
  for (const CLI::Option* o : app_.get_options()) {
    if (o->get_positional() && !o->nonpositional()) {
      s += o->get_required() ? " " + o->get_name(true) : " [" + o->get_name(true) + "]";
    } else if (o->get_required()) {
      s += " " + spelled_with_value(o);
    } else if (o != app_.get_help_ptr()) {
      any_optional = true;
    }
  }
  return s + (any_optional ? " [options]" : "");
}

std::string CommandLine::short_usage() const {
  return usage_line() + "\nRun 'prunq " + command_ + " --help' for all options.\n";
}

std::string CommandLine::help() const {
  std::ostringstream os;
  os << usage_line() << "\n";
  if (!summary_.empty()) os << "\n" << summary_ << (summary_.back() == '\n' ? "" : "\n");
  auto row = [&os](const std::string& left, const std::string& text) {
    os << "  " << left;
    if (left.size() < 24) {
      os << std::string(24 - left.size(), ' ');
    } else {
      os << "\n" << std::string(26, ' ');
    }
    // Continuation lines of multi-line help align under the first.
    for (char c : text) {
      os << c;
      if (c == '\n') os << std::string(26, ' ');
    }
    os << "\n";
  };
  auto help_text = [](const CLI::Option* o) {
    std::string text = o->get_description();
    if (o->get_required() && o->nonpositional()) text += " (required)";
    if (!o->get_default_str().empty()) text += " (default " + o->get_default_str() + ")";
    return text;
  };
  const auto options = app_.get_options();
  bool any_positional = false;
  for (const CLI::Option* o : options) any_positional |= o->get_positional() && !o->nonpositional();
  if (any_positional) {
    os << "\narguments:\n";
    for (const CLI::Option* o : options)
      if (o->get_positional() && !o->nonpositional()) row(o->get_name(true), help_text(o));
  }
  os << "\noptions:\n";
  for (const CLI::Option* o : options) {
    if (!o->nonpositional() || o == app_.get_help_ptr()) continue;
    std::string left;
    for (const std::string& s : o->get_snames()) left += (left.empty() ? "-" : ", -") + s;
    for (const std::string& l : o->get_lnames()) left += (left.empty() ? "--" : ", --") + l;
    if (o->get_expected_min() > 0) left += " " + o->get_type_name();
    row(left, help_text(o));
  }
  row("-h, --help", "show this help and exit");
  if (!epilog_.empty()) os << "\n" << epilog_ << (epilog_.back() == '\n' ? "" : "\n");
  return os.str();
}

}  // namespace prunq::cli
