// A strict little JSON parser for checking the CLI's --json output: the whole text must be one
// valid JSON value (RFC 8259 grammar, trailing whitespace allowed) or parse_json throws.
#pragma once
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace prunq::testing {

struct Json {
  enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Json> items;
  std::map<std::string, Json> fields;

  bool has(const std::string& k) const { return kind == Kind::object && fields.count(k) != 0; }
  const Json& operator[](const std::string& k) const {
    auto it = fields.find(k);
    if (kind != Kind::object || it == fields.end()) throw std::runtime_error("JSON: no key '" + k + "'");
    return it->second;
  }
  const Json& operator[](size_t i) const {
    if (kind != Kind::array || i >= items.size()) throw std::runtime_error("JSON: no item " + std::to_string(i));
    return items[i];
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  Json parse_document() {
    Json v = value();
    ws();
    if (i_ != s_.size()) err("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void err(const std::string& what) {
    throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(i_));
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) err(std::string("expected '") + c + "'");
  }
  bool literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(i_, n, word) != 0) return false;
    i_ += n;
    return true;
  }
  std::string string_body() {
    expect('"');
    std::string out;
    while (true) {
      if (i_ >= s_.size()) err("unterminated string");
      char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) err("raw control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) err("bad escape");
      char e = s_[i_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u':
          if (i_ + 4 > s_.size()) err("bad \\u escape");
          for (int k = 0; k < 4; ++k)
            if (!std::isxdigit(static_cast<unsigned char>(s_[i_ + k]))) err("bad \\u escape");
          out += '?';  // tests never compare non-ASCII text
          i_ += 4;
          break;
        default: err("bad escape");
      }
    }
  }
  Json value() {
    ws();
    if (i_ >= s_.size()) err("unexpected end");
    Json v;
    char c = s_[i_];
    if (c == '{') {
      ++i_;
      v.kind = Json::Kind::object;
      if (eat('}')) return v;
      do {
        ws();
        std::string k = string_body();
        expect(':');
        v.fields[k] = value();
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      ++i_;
      v.kind = Json::Kind::array;
      if (eat(']')) return v;
      do v.items.push_back(value());
      while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.kind = Json::Kind::string;
      v.str = string_body();
    } else if (literal("true")) {
      v.kind = Json::Kind::boolean;
      v.b = true;
    } else if (literal("false")) {
      v.kind = Json::Kind::boolean;
    } else if (literal("null")) {
      v.kind = Json::Kind::null;
    } else {
      // JSON number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
      size_t start = i_;
      auto digits = [&] {
        size_t b = i_;
        while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        return i_ > b;
      };
      if (i_ < s_.size() && s_[i_] == '-') ++i_;
      if (i_ < s_.size() && s_[i_] == '0') ++i_;
      else if (!digits()) err("bad value");
      if (i_ < s_.size() && s_[i_] == '.') {
        ++i_;
        if (!digits()) err("bad fraction");
      }
      if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
        ++i_;
        if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
        if (!digits()) err("bad exponent");
      }
      v.kind = Json::Kind::number;
      v.num = std::strtod(s_.substr(start, i_ - start).c_str(), nullptr);
    }
    return v;
  }

  const std::string& s_;
  size_t i_ = 0;
};

inline Json parse_json(const std::string& text) { return JsonParser(text).parse_document(); }

}  // namespace prunq::testing
