// Node attributes, ONNX-shaped: ints, floats, strings, int lists, float lists, tensors.
// Accessors with defaults keep op code short; a wrong kind is an Error naming the attribute.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/tensor.h"

namespace prunq {

using Attribute = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>, Tensor>;

class Attributes {
 public:
  bool has(const std::string& key) const { return map_.count(key) != 0; }
  void set(const std::string& key, Attribute v) { map_[key] = std::move(v); }
  void erase(const std::string& key) { map_.erase(key); }

  int64_t get_int(const std::string& key, int64_t def) const;
  float get_float(const std::string& key, float def) const;
  std::string get_string(const std::string& key, const std::string& def) const;
  std::vector<int64_t> get_ints(const std::string& key, const std::vector<int64_t>& def = {}) const;
  std::vector<float> get_floats(const std::string& key, const std::vector<float>& def = {}) const;
  Tensor get_tensor(const std::string& key) const;  // throws if absent

  // Required variants: throw "attribute 'k' is required" when absent.
  int64_t int_(const std::string& key) const;
  std::vector<int64_t> ints(const std::string& key) const;

  const std::map<std::string, Attribute>& all() const { return map_; }
  bool operator==(const Attributes& o) const;

 private:
  const Attribute* find(const std::string& key) const;
  std::map<std::string, Attribute> map_;
};

}  // namespace prunq
