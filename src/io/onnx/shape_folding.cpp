#include "io/onnx/shape_folding.h"

#include <sstream>

#include "io/onnx/tensor_proto.h"

namespace prunq::onnx_io {

namespace {

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& key) {
  for (const auto& a : n.attribute())
    if (a.name() == key) return &a;
  return nullptr;
}

int64_t attr_int(const onnx::NodeProto& n, const std::string& key, int64_t def) {
  const auto* a = find_attr(n, key);
  return a ? a->i() : def;
}

bool is_int_list(const Folded* f) { return f && f->int_list; }

// Known int64 values of a folded input (nullopt when absent or symbolic).
std::optional<std::vector<int64_t>> known_ints(const Folded* f) {
  if (!is_int_list(f)) return std::nullopt;
  std::vector<int64_t> v;
  for (const SymDim& d : f->elems) {
    if (!d.known()) return std::nullopt;
    v.push_back(d.value);
  }
  return v;
}

int64_t normalise_index(int64_t i, int64_t n, const onnx::NodeProto& node) {
  if (i < 0) i += n;
  PRUNQ_CHECK(i >= 0 && i < n, "node '", node.name(), "' (", node.op_type(), "): index ", i, " out of range for ", n,
              " elements");
  return i;
}

std::optional<std::vector<Folded>> one(Folded f) { return std::vector<Folded>{std::move(f)}; }

Folded fold_constant(const onnx::NodeProto& node) {
  for (const auto& a : node.attribute()) {
    if (a.name() == "value") return Folded::from_tensor(tensor_from_proto(a.t(), node.output(0)));
    if (a.name() == "value_float") return Folded::from_tensor(Tensor::scalar(a.f()));
    if (a.name() == "value_floats")
      return Folded::from_tensor(Tensor::from_vector({a.floats_size()}, {a.floats().begin(), a.floats().end()}));
    if (a.name() == "value_int") return Folded::from_tensor(Tensor::from_vector_i64({}, {a.i()}));
    if (a.name() == "value_ints")
      return Folded::from_tensor(Tensor::from_vector_i64({a.ints_size()}, {a.ints().begin(), a.ints().end()}));
  }
  fail("Constant node '", node.name(), "': no supported value attribute (value, value_float(s), value_int(s))");
}

std::optional<std::vector<Folded>> fold_shape(const onnx::NodeProto& node, const ValueType* t) {
  if (!t || !t->type.rank_known) return std::nullopt;
  int64_t rank = static_cast<int64_t>(t->dims.size());
  auto clamp = [&](int64_t i) { return std::max<int64_t>(0, std::min<int64_t>(rank, i < 0 ? i + rank : i)); };
  int64_t start = clamp(attr_int(node, "start", 0)), end = clamp(attr_int(node, "end", rank));
  std::vector<SymDim> e;
  for (int64_t i = start; i < end; ++i) e.push_back(t->dims[static_cast<size_t>(i)]);
  return one(Folded::from_elems(std::move(e), false));
}

std::optional<std::vector<Folded>> fold_gather(const onnx::NodeProto& node, const Folded* data, const Folded* idx) {
  auto indices = known_ints(idx);
  if (!is_int_list(data) || data->scalar || !indices || attr_int(node, "axis", 0) != 0) return std::nullopt;
  std::vector<SymDim> e;
  int64_t n = static_cast<int64_t>(data->elems.size());
  for (int64_t i : *indices) e.push_back(data->elems[static_cast<size_t>(normalise_index(i, n, node))]);
  return one(Folded::from_elems(std::move(e), idx->scalar));
}

// Unsqueeze/Squeeze of a scalar or 1-D list only move between rank 0 and rank 1.
std::optional<std::vector<Folded>> fold_rank_change(const onnx::NodeProto& node, int opset, const Folded* data,
                                                    const Folded* axes_in) {
  if (!is_int_list(data)) return std::nullopt;
  std::vector<int64_t> axes;
  if (opset < 13) {
    const auto* a = find_attr(node, "axes");
    if (a) axes.assign(a->ints().begin(), a->ints().end());
  } else if (axes_in && axes_in->int_list) {
    auto k = known_ints(axes_in);
    if (!k) return std::nullopt;
    axes = *k;
  }
  bool unsqueeze = node.op_type() == "Unsqueeze";
  if (unsqueeze && data->scalar && axes.size() == 1 && (axes[0] == 0 || axes[0] == -1))
    return one(Folded::from_elems(data->elems, false));
  if (!unsqueeze && !data->scalar && data->elems.size() == 1 && (axes.empty() || (axes.size() == 1 && (axes[0] == 0 || axes[0] == -1))))
    return one(Folded::from_elems(data->elems, true));
  return std::nullopt;
}

std::optional<std::vector<Folded>> fold_concat(const std::vector<const Folded*>& inputs) {
  std::vector<SymDim> e;
  for (const Folded* f : inputs) {
    if (!is_int_list(f) || f->scalar) return std::nullopt;
    e.insert(e.end(), f->elems.begin(), f->elems.end());
  }
  return one(Folded::from_elems(std::move(e), false));
}

std::optional<std::vector<Folded>> fold_slice(const std::vector<const Folded*>& in) {
  if (in.size() < 3 || !is_int_list(in[0]) || in[0]->scalar) return std::nullopt;
  auto starts = known_ints(in[1]), ends = known_ints(in[2]);
  if (!starts || !ends || starts->size() != 1 || ends->size() != 1) return std::nullopt;
  if (in.size() > 3 && in[3]->int_list) {
    auto axes = known_ints(in[3]);
    if (!axes || axes->size() != 1 || ((*axes)[0] != 0 && (*axes)[0] != -1)) return std::nullopt;
  }
  int64_t step = 1;
  if (in.size() > 4 && in[4]->int_list) {
    auto steps = known_ints(in[4]);
    if (!steps || steps->size() != 1) return std::nullopt;
    step = (*steps)[0];
  }
  if (step != 1) return std::nullopt;
  int64_t n = static_cast<int64_t>(in[0]->elems.size());
  auto clamp = [&](int64_t i) { return std::max<int64_t>(0, std::min<int64_t>(n, i < 0 ? i + n : i)); };
  std::vector<SymDim> e;
  for (int64_t i = clamp((*starts)[0]); i < clamp((*ends)[0]); ++i) e.push_back(in[0]->elems[static_cast<size_t>(i)]);
  return one(Folded::from_elems(std::move(e), false));
}

std::optional<std::vector<Folded>> fold_cast(const onnx::NodeProto& node, const Folded* data) {
  if (!is_int_list(data) || attr_int(node, "to", 0) != onnx::TensorProto::INT64) return std::nullopt;
  return one(*data);  // int64 -> int64: nothing to do
}

// Integer arithmetic on fully known lists (e.g. C*H*W computed by an exporter), numpy broadcast
// of a scalar/1-element list against a list.
std::optional<std::vector<Folded>> fold_arith(const onnx::NodeProto& node, const Folded* a, const Folded* b) {
  auto x = known_ints(a), y = known_ints(b);
  if (!x || !y) return std::nullopt;
  size_t n = std::max(x->size(), y->size());
  if ((x->size() != n && x->size() != 1) || (y->size() != n && y->size() != 1)) return std::nullopt;
  std::vector<SymDim> e;
  const std::string& op = node.op_type();
  for (size_t i = 0; i < n; ++i) {
    int64_t p = (*x)[x->size() == 1 ? 0 : i], q = (*y)[y->size() == 1 ? 0 : i];
    int64_t r = 0;
    if (op == "Add") r = p + q;
    else if (op == "Sub") r = p - q;
    else if (op == "Mul") r = p * q;
    else {
      PRUNQ_CHECK(q != 0, "node '", node.name(), "' (Div): integer division by zero in shape arithmetic");
      r = p / q;
    }
    e.push_back(SymDim{r, ""});
  }
  return one(Folded::from_elems(std::move(e), a->scalar && b->scalar));
}

}  // namespace

Folded Folded::from_tensor(Tensor t) {
  Folded f;
  // Shape arithmetic is int64 throughout in ONNX (Shape's output, Reshape's target); keeping
  // to int64 means a folded value always materialises with the dtype its consumer expects.
  if (t.dtype() == DType::i64 && t.rank() <= 1) {
    Tensor c = t.contiguous();
    f.int_list = true;
    f.scalar = t.rank() == 0;
    for (int64_t i = 0; i < c.numel(); ++i) f.elems.push_back(SymDim{c.data<int64_t>()[i], ""});
    f.tensor = c;
  } else {
    f.tensor = std::move(t);
  }
  return f;
}

Folded Folded::from_elems(std::vector<SymDim> elems, bool scalar) {
  Folded f;
  f.int_list = true;
  f.scalar = scalar;
  f.elems = std::move(elems);
  bool known = true;
  for (const SymDim& d : f.elems) known &= d.known();
  if (known) {
    std::vector<int64_t> v;
    for (const SymDim& d : f.elems) v.push_back(d.value);
    f.tensor = scalar ? Tensor::from_vector_i64({}, v) : Tensor::from_vector_i64({static_cast<int64_t>(v.size())}, v);
  }
  return f;
}

std::string Folded::describe() const {
  if (!int_list) return tensor.desc();
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < elems.size(); ++i) {
    os << (i ? ", " : "");
    if (elems[i].known()) os << elems[i].value;
    else os << elems[i].symbol;
  }
  os << ']';
  return os.str();
}

bool is_foldable_op(const std::string& t) {
  return t == "Constant" || t == "Shape" || t == "Gather" || t == "Unsqueeze" || t == "Squeeze" || t == "Concat" ||
         t == "Slice" || t == "Cast" || t == "Add" || t == "Sub" || t == "Mul" || t == "Div" || t == "Identity";
}

std::optional<std::vector<Folded>> try_fold(const onnx::NodeProto& node, int opset,
                                            const std::vector<const Folded*>& in,
                                            const std::function<const ValueType*(const std::string&)>& type_of) {
  const std::string& op = node.op_type();
  if (op == "Constant") return one(fold_constant(node));
  if (op == "Shape") return in.size() == 1 ? fold_shape(node, type_of(node.input(0))) : std::nullopt;
  for (const Folded* f : in)
    if (!f) return std::nullopt;  // some input is only known at run time
  if (in.empty()) return std::nullopt;
  if (op == "Identity") return one(*in[0]);
  if (op == "Gather" && in.size() == 2) return fold_gather(node, in[0], in[1]);
  if (op == "Unsqueeze" || op == "Squeeze") return fold_rank_change(node, opset, in[0], in.size() > 1 ? in[1] : nullptr);
  if (op == "Concat") return attr_int(node, "axis", 0) == 0 || attr_int(node, "axis", 0) == -1 ? fold_concat(in) : std::nullopt;
  if (op == "Slice") return opset >= 10 ? fold_slice(in) : std::nullopt;
  if (op == "Cast") return fold_cast(node, in[0]);
  if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div") && in.size() == 2) return fold_arith(node, in[0], in[1]);
  return std::nullopt;
}

}  // namespace prunq::onnx_io
