#include "prunq/args.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace prunq::cli {

std::string spelled(const std::string& name) { return (name.size() == 1 ? "-" : "--") + name; }

std::string ParsedArgs::get(const std::string& name, const std::string& def) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? def : it->second.back();
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int64_t ParsedArgs::get_int(const std::string& name, int64_t def, int64_t min, int64_t max) const {
  if (!has(name)) return def;
  const std::string s = get(name);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw UsageError(spelled(name) + " expects an integer, got '" + s + "'", usage_);
  if (v < min || v > max) {
    std::ostringstream os;
    os << spelled(name) << " must be in [" << min << ", " << max << "], got " << v;
    throw UsageError(os.str(), usage_);
  }
  return v;
}

double ParsedArgs::get_double(const std::string& name, double def, double min, double max) const {
  if (!has(name)) return def;
  const std::string s = get(name);
  // strtod rather than from_chars<double>: it accepts the "1e-3" forms users type and is
  // available in every libstdc++ Debian 12 ships.
  char* end = nullptr;
  errno = 0;
  double v = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v))
    throw UsageError(spelled(name) + " expects a number, got '" + s + "'", usage_);
  if (v < min || v > max) {
    std::ostringstream os;
    os << spelled(name) << " must be in [" << min << ", " << max << "], got " << s;
    throw UsageError(os.str(), usage_);
  }
  return v;
}

ArgParser::ArgParser(std::string command, std::string synopsis, std::string summary)
    : command_(std::move(command)), synopsis_(std::move(synopsis)), summary_(std::move(summary)) {}

ArgParser& ArgParser::flag(const std::string& name, const std::string& help) {
  specs_.push_back({name, "", help, false, false});
  return *this;
}

ArgParser& ArgParser::option(const std::string& name, const std::string& value_name, const std::string& help,
                             bool repeatable) {
  specs_.push_back({name, value_name, help, true, repeatable});
  return *this;
}

ArgParser& ArgParser::positional(const std::string& name, const std::string& help, bool required) {
  positionals_.push_back({name, help, required});
  return *this;
}

ArgParser& ArgParser::epilog(const std::string& text) {
  epilog_ = text;
  return *this;
}

const ArgParser::Spec* ArgParser::find(const std::string& name) const {
  for (const Spec& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

bool ArgParser::wants_help(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "-h" || a == "--help") return true;
  }
  return false;
}

ParsedArgs ArgParser::parse(const std::vector<std::string>& args) const {
  ParsedArgs out;
  out.usage_ = short_usage();
  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positionals || a.size() < 2 || a[0] != '-' || a == "-") {
      out.positionals_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positionals = true;
      continue;
    }
    // One-letter options are spelled "-o", longer ones "--name".
    const bool short_form = a.rfind("--", 0) != 0;
    std::string name = a.substr(short_form ? 1 : 2), value;
    if (short_form && name.size() != 1)
      throw UsageError("unknown option '" + a + "' for 'prunq " + command_ + "' (long options are spelled --name)",
                       out.usage_);
    bool inline_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const Spec* spec = find(name);
    if (!spec || short_form != (name.size() == 1))
      throw UsageError("unknown option '" + a + "' for 'prunq " + command_ + "'", out.usage_);
    if (!spec->takes_value) {
      if (inline_value) throw UsageError("option '" + spelled(name) + "' takes no value", out.usage_);
      out.values_[name].push_back("1");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size())
        throw UsageError("option '" + spelled(name) + "' needs a value (" + spec->value_name + ")", out.usage_);
      value = args[++i];
    }
    auto& slot = out.values_[name];
    if (!slot.empty() && !spec->repeatable)
      throw UsageError("option '" + spelled(name) + "' given more than once", out.usage_);
    slot.push_back(value);
  }

  size_t required = 0;
  for (const Positional& p : positionals_) required += p.required ? 1 : 0;
  if (out.positionals_.size() < required)
    throw UsageError("missing argument " + positionals_[out.positionals_.size()].name, out.usage_);
  if (out.positionals_.size() > positionals_.size())
    throw UsageError("unexpected argument '" + out.positionals_[positionals_.size()] + "'", out.usage_);
  return out;
}

std::string ArgParser::short_usage() const {
  return "usage: prunq " + command_ + (synopsis_.empty() ? "" : " ") + synopsis_ + "\nRun 'prunq " + command_ +
         " --help' for all options.\n";
}

std::string ArgParser::help() const {
  std::ostringstream os;
  os << "usage: prunq " << command_ << (synopsis_.empty() ? "" : " ") << synopsis_ << "\n\n" << summary_ << "\n";
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
  if (!positionals_.empty()) {
    os << "\narguments:\n";
    for (const Positional& p : positionals_) row(p.name, p.help);
  }
  os << "\noptions:\n";
  for (const Spec& s : specs_) row(spelled(s.name) + (s.takes_value ? " " + s.value_name : ""), s.help);
  row("-h, --help", "show this help and exit");
  if (!epilog_.empty()) os << "\n" << epilog_ << (epilog_.back() == '\n' ? "" : "\n");
  return os.str();
}

}  // namespace prunq::cli
