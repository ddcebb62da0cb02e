#include "io/json/json_file.h"

#include <charconv>
#include <cstdlib>

#include "core/error.h"
#include "io/native/file_util.h"

namespace prunq {

double json_float(float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf - 1, v);  // shortest round-trip form
  if (ec != std::errc()) return v;
  *end = '\0';
  return std::strtod(buf, nullptr);
}

std::string json_text(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

Json parse_json(const std::string& text, const std::string& what) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 3: ..."
    std::string msg = e.what();
    if (size_t p = msg.find("] "); p != std::string::npos) msg = msg.substr(p + 2);
    fail(what, ": not valid JSON (", msg, ")");
  }
}

Json read_json_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file(path);
  return parse_json(std::string(bytes.begin(), bytes.end()), path);
}

void write_json_file(const std::string& path, const Json& j, int indent) {
  const std::string text = json_text(j, indent) + "\n";
  write_file_atomic(path, text.data(), text.size());
}

}  // namespace prunq
