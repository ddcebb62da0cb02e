#include "graph/attribute.h"

#include <cstring>
#include <type_traits>

namespace prunq {

const Attribute* Attributes::find(const std::string& key) const {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

namespace {
template <typename T>
const T& expect(const Attribute* a, const std::string& key, const char* kind) {
  const T* v = std::get_if<T>(a);
  if (!v) fail("attribute '", key, "' is not of kind ", kind);
  return *v;
}
}  // namespace

int64_t Attributes::get_int(const std::string& key, int64_t def) const {
  const Attribute* a = find(key);
  return a ? expect<int64_t>(a, key, "int") : def;
}
float Attributes::get_float(const std::string& key, float def) const {
  const Attribute* a = find(key);
  if (!a) return def;
  if (auto* i = std::get_if<int64_t>(a)) return static_cast<float>(*i);  // ONNX files sometimes store 0 for 0.0
  return expect<float>(a, key, "float");
}
std::string Attributes::get_string(const std::string& key, const std::string& def) const {
  const Attribute* a = find(key);
  return a ? expect<std::string>(a, key, "string") : def;
}
std::vector<int64_t> Attributes::get_ints(const std::string& key, const std::vector<int64_t>& def) const {
  const Attribute* a = find(key);
  return a ? expect<std::vector<int64_t>>(a, key, "ints") : def;
}
std::vector<float> Attributes::get_floats(const std::string& key, const std::vector<float>& def) const {
  const Attribute* a = find(key);
  return a ? expect<std::vector<float>>(a, key, "floats") : def;
}
Tensor Attributes::get_tensor(const std::string& key) const {
  const Attribute* a = find(key);
  PRUNQ_CHECK(a, "attribute '", key, "' is required");
  return expect<Tensor>(a, key, "tensor");
}
int64_t Attributes::int_(const std::string& key) const {
  const Attribute* a = find(key);
  PRUNQ_CHECK(a, "attribute '", key, "' is required");
  return expect<int64_t>(a, key, "int");
}
std::vector<int64_t> Attributes::ints(const std::string& key) const {
  const Attribute* a = find(key);
  PRUNQ_CHECK(a, "attribute '", key, "' is required");
  return expect<std::vector<int64_t>>(a, key, "ints");
}

bool Attributes::operator==(const Attributes& o) const {
  if (map_.size() != o.map_.size()) return false;
  for (const auto& [k, v] : map_) {
    auto it = o.map_.find(k);
    if (it == o.map_.end() || it->second.index() != v.index()) return false;
    if (auto* t = std::get_if<Tensor>(&v)) {
      const Tensor& u = std::get<Tensor>(it->second);
      if (t->dtype() != u.dtype() || t->shape() != u.shape()) return false;
      Tensor a = t->contiguous(), b = u.contiguous();
      if (std::memcmp(a.raw(), b.raw(), a.nbytes()) != 0) return false;
    } else {
      bool same = std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Tensor>) return false;
            else return x == std::get<T>(it->second);
          },
          v);
      if (!same) return false;
    }
  }
  return true;
}

}  // namespace prunq
