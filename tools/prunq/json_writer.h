// A minimal streaming JSON writer for the CLI's --json outputs: objects, arrays, strings
// (escaped per RFC 8259), integers, finite doubles (non-finite ones become null, which JSON
// cannot otherwise express). Commas are placed automatically.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace prunq::cli {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& k);  // inside an object, before each value
  JsonWriter& value(const std::string& s);
  JsonWriter& value(const char* s) { return value(std::string(s)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& value(bool v);
  JsonWriter& int_array(const std::vector<int64_t>& v);
  const std::string& str() const { return out_; }

 private:
  void before_value();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace prunq::cli
