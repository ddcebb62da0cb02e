#include "prune/structured/coupling_rules.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <set>

#include "ops/shape/shape_util.h"

namespace prunq::structured {

Coupler::Coupler(const Graph& g, const std::vector<TensorType>& types, ChannelAnalysis& a)
    : g_(g), types_(types), a_(a), parent_(a.value_of.size()), value_parent_(g.num_values()),
      reason_of_(a.value_of.size(), -1) {
  std::iota(parent_.begin(), parent_.end(), int64_t{0});
  std::iota(value_parent_.begin(), value_parent_.end(), ValueId{0});
}

const Tensor* Coupler::constant(ValueId v) const {
  const Initializer* init = v == kNoValue ? nullptr : g_.initializer(v);
  return init ? &init->data : nullptr;
}

int64_t Coupler::root(int64_t e) {
  while (parent_[e] != e) e = parent_[e] = parent_[parent_[e]];
  return e;
}

ValueId Coupler::value_root(ValueId v) {
  while (value_parent_[v] != v) v = value_parent_[v] = value_parent_[value_parent_[v]];
  return v;
}

void Coupler::tie(int64_t a, int64_t b) {
  int64_t ra = root(a), rb = root(b);
  if (ra != rb) parent_[std::max(ra, rb)] = std::min(ra, rb);
  ValueId va = value_root(a_.value_of[a]), vb = value_root(a_.value_of[b]);
  if (va != vb) value_parent_[std::max(va, vb)] = std::min(va, vb);
}

void Coupler::tie_values(ValueId a, ValueId b, const Node& n) {
  if (count(a) != count(b)) {
    fix_node(n, "changes the channel count without a known mapping");
    return;
  }
  for (int64_t i = 0; i < count(a); ++i) tie(element(a, i), element(b, i));
}

void Coupler::fix_element(int64_t e, const std::string& reason) {
  if (reason_of_[e] >= 0) return;
  if (reasons_.empty() || reasons_.back() != reason) reasons_.push_back(reason);
  reason_of_[e] = static_cast<int32_t>(reasons_.size() - 1);
}

const std::string* Coupler::fixed_reason(int64_t e) const {
  return reason_of_[e] < 0 ? nullptr : &reasons_[reason_of_[e]];
}

void Coupler::fix_value(ValueId v, const std::string& reason) {
  if (!tracked(v)) return;
  for (int64_t i = 0; i < count(v); ++i) fix_element(element(v, i), reason);
}

void Coupler::fix_node(const Node& n, const std::string& why) {
  const std::string reason = n.op + " '" + n.name + "' " + why;
  for (ValueId v : n.inputs) fix_value(v, reason);
  for (ValueId v : n.outputs) fix_value(v, reason);
}

void Coupler::cut(NodeId n, int input, int axis, CutRole role, std::vector<int64_t> elements) {
  a_.cuts.push_back(ParamCut{n, input, axis, role, std::move(elements)});
}

void Coupler::shape_fix(NodeId n, ShapeFixKind kind, int64_t position, int64_t start) {
  a_.fixes.push_back(ShapeFix{n, kind, position, start});
}

namespace {

// Ops that map channel c of input 0 to channel c of every output and mix nothing across
// channels (Clip's bounds and Dropout's ratio are scalars).
const std::set<std::string>& channelwise_ops() {
  static const std::set<std::string> ops = {
      "Relu",  "LeakyRelu", "Sigmoid",    "Tanh",    "HardSwish", "HardSigmoid", "Gelu",    "Erf",
      "Exp",   "Log",       "Sqrt",       "Neg",     "Abs",       "Reciprocal",  "Floor",   "Ceil",
      "Elu",   "Selu",      "Softplus",   "Clip",    "Dropout",   "Identity",    "Cast",    "MaxPool",
      "AveragePool", "GlobalAveragePool", "GlobalMaxPool"};
  return ops;
}

// Elementwise ops with (multidirectional or, for PRelu, unidirectional) broadcasting.
const std::set<std::string>& broadcasting_ops() {
  static const std::set<std::string> ops = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "PRelu"};
  return ops;
}

std::vector<int64_t> elements_of(const Coupler& c, ValueId v) {
  std::vector<int64_t> e(static_cast<size_t>(c.count(v)));
  for (int64_t i = 0; i < c.count(v); ++i) e[i] = c.element(v, i);
  return e;
}

int rank_of(const Coupler& c, ValueId v) { return static_cast<int>(c.type(v).shape.size()); }

void couple_channelwise(Coupler& c, const Node& n) {
  if (!c.tracked(n.inputs.at(0))) return c.fix_node(n, "has an input without a known channel axis");
  for (size_t i = 1; i < n.inputs.size(); ++i)
    if (c.tracked(n.inputs[i])) return c.fix_node(n, "has a per-channel extra input");
  for (ValueId o : n.outputs)
    if (o != kNoValue) c.tie_values(n.inputs[0], o, n);
}

void couple_softmax(Coupler& c, const Node& n) {
  ValueId x = n.inputs.at(0);
  if (!c.tracked(x)) return c.fix_node(n, "has an input without a known channel axis");
  int64_t axis = n.attrs.get_int("axis", -1);
  if (axis < 0) axis += rank_of(c, x);
  if (axis == 1) return c.fix_node(n, "normalises over the channels");
  c.tie_values(x, n.outputs.at(0), n);
}

void couple_batchnorm(Coupler& c, NodeId id, const Node& n) {
  ValueId x = n.inputs.at(0);
  if (!c.tracked(x) || !c.tracked(n.outputs.at(0))) return c.fix_node(n, "has no known channel axis");
  static const CutRole roles[] = {CutRole::kBnScale, CutRole::kBnShift, CutRole::kBnStatistic, CutRole::kBnStatistic};
  for (int i = 1; i <= 4; ++i) {
    const Tensor* p = i < static_cast<int>(n.inputs.size()) ? c.constant(n.inputs[i]) : nullptr;
    if (!p || p->rank() != 1 || p->dim(0) != c.count(x)) return c.fix_node(n, "has non-constant parameters");
  }
  c.tie_values(x, n.outputs[0], n);
  for (int i = 1; i <= 4; ++i) c.cut(id, i, 0, roles[i - 1], elements_of(c, x));
}

void couple_broadcasting(Coupler& c, NodeId id, const Node& n) {
  ValueId out = n.outputs.at(0);
  if (!c.tracked(out)) return c.fix_node(n, "has an output without a known channel axis");
  const int r = rank_of(c, out);
  const int64_t channels = c.count(out);
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    ValueId v = n.inputs[i];
    if (v == kNoValue) continue;
    const TensorType& t = c.type(v);
    if (!t.rank_known) return c.fix_node(n, "has an input of unknown rank");
    const int axis = 1 - (r - static_cast<int>(t.shape.size()));  // the input's dim under the channel axis
    if (axis < 0) continue;                                        // broadcast over every channel
    const int64_t d = t.shape[axis];
    if (d == 1 && channels != 1) continue;
    if (c.constant(v) && d == channels) {
      c.cut(id, static_cast<int>(i), axis, CutRole::kConstant, elements_of(c, out));
    } else if (axis == 1 && c.tracked(v) && c.count(v) == channels) {
      c.tie_values(v, out, n);
    } else {
      return c.fix_node(n, "broadcasts an input across the channel axis");
    }
  }
}

void couple_conv(Coupler& c, NodeId id, const Node& n) {
  ValueId x = n.inputs.at(0), out = n.outputs.at(0);
  const Tensor* w = n.inputs.size() > 1 ? c.constant(n.inputs[1]) : nullptr;
  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != kNoValue;
  if (!w || w->rank() < 3 || (has_bias && !c.constant(n.inputs[2])))
    return c.fix_node(n, "has non-constant weights");
  if (!c.tracked(x) || !c.tracked(out)) return c.fix_node(n, "has no known channel axis");
  const int64_t groups = n.attrs.get_int("group", 1);
  const int64_t m = w->dim(0), cin_g = w->dim(1), cin = c.count(x);
  if (groups < 1 || m != c.count(out) || groups * cin_g != cin || m % groups != 0)
    return c.fix_node(n, "has weights that do not match its channels");
  const int64_t m_g = m / groups;
  std::vector<int64_t> outs = elements_of(c, out);
  if (groups > 1 && cin_g == 1) {
    // Depthwise (channel multiplier m_g): output channels c*m_g .. c*m_g+m_g-1 read input c only,
    // so they live and die with it; `group` follows the input channel count.
    for (int64_t ch = 0; ch < cin; ++ch)
      for (int64_t j = 0; j < m_g; ++j) c.tie(c.element(x, ch), c.element(out, ch * m_g + j));
    c.cut(id, 1, 0, CutRole::kDepthwiseWeight, outs);
  } else {
    c.cut(id, 1, 0, CutRole::kProducerWeight, outs);
    std::vector<int64_t> ins;
    for (int64_t k = 0; k < cin_g; ++k) ins.push_back(c.element(x, k));
    if (groups > 1) {
      // Grouped: every group must keep the same number of channels, so the same in-group
      // position is cut in all groups at once (inputs and outputs separately).
      for (int64_t gi = 1; gi < groups; ++gi) {
        for (int64_t k = 0; k < cin_g; ++k) c.tie(c.element(x, k), c.element(x, gi * cin_g + k));
        for (int64_t j = 0; j < m_g; ++j) c.tie(c.element(out, j), c.element(out, gi * m_g + j));
      }
    }
    c.cut(id, 1, 1, CutRole::kConsumerWeight, std::move(ins));
  }
  if (has_bias) c.cut(id, 2, 0, CutRole::kProducerBias, outs);
  if (groups > 1) c.shape_fix(id, ShapeFixKind::kConvGroup);
}

// Gemm (transA = 0) and MatMul with a constant matrix B: a Linear layer.
void couple_dense(Coupler& c, NodeId id, const Node& n) {
  ValueId a = n.inputs.at(0), out = n.outputs.at(0);
  const bool gemm = n.op == "Gemm";
  if (gemm && n.attrs.get_int("transA", 0) != 0) return c.fix_node(n, "reads its input transposed");
  const Tensor* b = n.inputs.size() > 1 ? c.constant(n.inputs[1]) : nullptr;
  if (!b || b->rank() != 2) return c.fix_node(n, "has a non-constant weight matrix");
  if (!c.tracked(a) || !c.tracked(out) || rank_of(c, a) != 2) return c.fix_node(n, "has no known feature axis");
  const int axis_n = gemm && n.attrs.get_int("transB", 0) != 0 ? 0 : 1;
  if (b->dim(axis_n) != c.count(out) || b->dim(1 - axis_n) != c.count(a))
    return c.fix_node(n, "has a weight matrix that does not match its features");
  std::vector<int64_t> outs = elements_of(c, out);
  if (gemm && n.inputs.size() > 2 && n.inputs[2] != kNoValue) {
    const Tensor* bias = c.constant(n.inputs[2]);
    if (!bias) return c.fix_node(n, "has a non-constant C input");
    if (bias->rank() >= 1 && bias->dim(-1) == c.count(out))
      c.cut(id, 2, bias->rank() - 1, CutRole::kProducerBias, outs);
  }
  c.cut(id, 1, axis_n, CutRole::kProducerWeight, outs);
  c.cut(id, 1, 1 - axis_n, CutRole::kConsumerWeight, elements_of(c, a));
}

void couple_concat(Coupler& c, NodeId id, const Node& n) {
  ValueId out = n.outputs.at(0);
  if (!c.tracked(out)) return c.fix_node(n, "has no known channel axis");
  const int64_t axis = normalize_axis(n.attrs.get_int("axis", 1), rank_of(c, out), n);
  if (axis != 1) {
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      ValueId v = n.inputs[k];
      if (c.tracked(v)) {
        c.tie_values(v, out, n);
      } else if (const Tensor* t = c.constant(v); t && t->rank() == rank_of(c, out) && t->dim(1) == c.count(out)) {
        c.cut(id, static_cast<int>(k), 1, CutRole::kConstant, elements_of(c, out));
      } else {
        return c.fix_node(n, "has an input without a known channel axis");
      }
    }
    return;
  }
  int64_t offset = 0;
  for (ValueId v : n.inputs) {
    if (c.tracked(v)) {
      for (int64_t i = 0; i < c.count(v); ++i) c.tie(c.element(v, i), c.element(out, offset + i));
      offset += c.count(v);
    } else if (const Tensor* t = c.constant(v); t && t->rank() >= 2) {
      // Channels a constant contributes are not cut (they belong to no layer).
      for (int64_t i = 0; i < t->dim(1) && offset + i < c.count(out); ++i)
        c.fix_element(c.element(out, offset + i), "Concat '" + n.name + "' takes them from a constant");
      offset += t->dim(1);
    } else {
      return c.fix_node(n, "has an input without a known channel axis");
    }
  }
  if (offset != c.count(out)) c.fix_node(n, "has inputs that do not add up to its output");
}

struct SliceArgsView {
  std::vector<int64_t> starts, ends, axes, steps;
};

// Slice's starts/ends/axes/steps when they are constants (inputs 1-4, or the opset < 10
// attributes); nullopt when any is computed at run time.
std::optional<SliceArgsView> constant_slice_args(const Coupler& c, const Node& n) {
  SliceArgsView s;
  auto list = [&](size_t i, std::vector<int64_t>& out, const char* what) {
    if (i >= n.inputs.size() || n.inputs[i] == kNoValue) return true;
    const Tensor* t = c.constant(n.inputs[i]);
    if (!t) return false;
    out = read_int_list(*t, n, what);
    return true;
  };
  if (n.inputs.size() > 1) {
    if (!list(1, s.starts, "starts") || !list(2, s.ends, "ends") || !list(3, s.axes, "axes") ||
        !list(4, s.steps, "steps"))
      return std::nullopt;
  } else {
    s.starts = n.attrs.get_ints("starts");
    s.ends = n.attrs.get_ints("ends");
    s.axes = n.attrs.get_ints("axes");
  }
  if (s.axes.empty())
    for (size_t i = 0; i < s.starts.size(); ++i) s.axes.push_back(static_cast<int64_t>(i));
  if (s.steps.empty()) s.steps.assign(s.starts.size(), 1);
  if (s.ends.size() != s.starts.size() || s.axes.size() != s.starts.size() || s.steps.size() != s.starts.size())
    return std::nullopt;
  return s;
}

void couple_slice(Coupler& c, NodeId id, const Node& n) {
  ValueId x = n.inputs.at(0), out = n.outputs.at(0);
  if (!c.tracked(x) || !c.tracked(out)) return c.fix_node(n, "has no known channel axis");
  std::optional<SliceArgsView> s = constant_slice_args(c, n);
  if (!s) return c.fix_node(n, "slices by computed bounds");
  const int r = rank_of(c, x);
  for (size_t p = 0; p < s->axes.size(); ++p) {
    if (normalize_axis(s->axes[p], r, n) != 1) continue;
    if (s->steps[p] != 1) return c.fix_node(n, "slices the channels with a stride");
    // ONNX clamping of the channel range [start, end).
    const int64_t channels = c.count(x);
    auto clamp = [channels](int64_t v) { return std::clamp(v < 0 ? v + channels : v, int64_t{0}, channels); };
    const int64_t start = clamp(s->starts[p]), end = std::max(start, clamp(s->ends[p]));
    if (end - start != c.count(out)) return c.fix_node(n, "has a channel range that does not match its output");
    for (int64_t i = 0; i < c.count(out); ++i) c.tie(c.element(out, i), c.element(x, start + i));
    c.shape_fix(id, ShapeFixKind::kChannelSlice, static_cast<int64_t>(p), start);
    return;
  }
  c.tie_values(x, out, n);
}

// Channel c of x becomes features [c * block, (c + 1) * block) of out.
void tie_blocks(Coupler& c, ValueId x, ValueId out, int64_t block) {
  for (int64_t ch = 0; ch < c.count(x); ++ch)
    for (int64_t s = 0; s < block; ++s) c.tie(c.element(x, ch), c.element(out, ch * block + s));
}

// Feature block per channel when out = x flattened from axis 1 ([N, C, ...] -> [N, C * S]), else 0.
int64_t flatten_block(const Coupler& c, ValueId x, ValueId out) {
  const Shape& xs = c.type(x).shape;
  if (c.type(out).shape.size() != 2) return 0;
  int64_t block = dims_product(xs, 2, xs.size());
  return block > 0 && c.count(out) == c.count(x) * block ? block : 0;
}

void couple_flatten(Coupler& c, const Node& n) {
  ValueId x = n.inputs.at(0), out = n.outputs.at(0);
  if (!c.tracked(x) || !c.tracked(out)) return c.fix_node(n, "has no known channel axis");
  int64_t axis = n.attrs.get_int("axis", 1);
  if (axis < 0) axis += rank_of(c, x);
  const int64_t block = flatten_block(c, x, out);
  if (axis != 1 || block == 0) return c.fix_node(n, "moves the channel axis");
  tie_blocks(c, x, out, block);
}

void couple_reshape(Coupler& c, NodeId id, const Node& n) {
  ValueId x = n.inputs.at(0), out = n.outputs.at(0);
  if (!c.tracked(x) || !c.tracked(out)) return c.fix_node(n, "has no known channel axis");
  if (n.inputs.size() < 2 || !c.constant(n.inputs[1])) return c.fix_node(n, "reshapes to a computed shape");
  const Shape& xs = c.type(x).shape;
  const Shape& os = c.type(out).shape;
  if (os[0] == xs[0] && c.count(out) == c.count(x)) {
    // The batch and channel dims stay, only the dims after them are regrouped.
    c.tie_values(x, out, n);
  } else if (const int64_t block = flatten_block(c, x, out); block > 0 && os[0] == xs[0]) {
    tie_blocks(c, x, out, block);
  } else {
    return c.fix_node(n, "moves the channel axis");
  }
  c.shape_fix(id, ShapeFixKind::kReshapeShape);
}

void couple_squeeze(Coupler& c, const Node& n) {
  ValueId x = n.inputs.at(0), out = n.outputs.at(0);
  if (!c.tracked(x) || !c.tracked(out)) return c.fix_node(n, "has no known channel axis");
  std::vector<int64_t> axes;
  if (n.inputs.size() > 1 && n.inputs[1] != kNoValue) {
    const Tensor* t = c.constant(n.inputs[1]);
    if (!t) return c.fix_node(n, "has computed axes");
    axes = read_int_list(*t, n, "axes");
  } else if (n.attrs.has("axes")) {
    axes = n.attrs.get_ints("axes");
  } else {
    return c.fix_node(n, "squeezes every size-1 dim (the channels may be among them)");
  }
  // Squeeze's axes index the input, Unsqueeze's the output.
  const int rank = rank_of(c, n.op == "Squeeze" ? x : out);
  for (int64_t a : normalize_axes(axes, rank, n))
    if (a <= 1) return c.fix_node(n, "moves the channel axis");
  c.tie_values(x, out, n);
}

// ReduceMean over the spatial axes (a global pool written as a reduction) keeps the channel
// axis at 1 with or without keepdims; reducing the batch or the channels mixes them.
void couple_reduce(Coupler& c, const Node& n) {
  ValueId x = n.inputs.at(0), out = n.outputs.at(0);
  if (!c.tracked(x) || !c.tracked(out)) return c.fix_node(n, "has no known channel axis");
  std::vector<int64_t> axes;
  if (n.op == "ReduceSum" && n.inputs.size() > 1 && n.inputs[1] != kNoValue) {
    const Tensor* t = c.constant(n.inputs[1]);
    if (!t) return c.fix_node(n, "has computed axes");
    axes = read_int_list(*t, n, "axes");
  } else if (n.op != "ReduceSum") {
    axes = n.attrs.get_ints("axes");
  }
  const bool noop = n.op == "ReduceSum" && axes.empty() && n.attrs.get_int("noop_with_empty_axes", 0) != 0;
  if (!noop) {
    if (axes.empty()) return c.fix_node(n, "reduces over the channels");
    for (int64_t a : normalize_axes(axes, rank_of(c, x), n))
      if (a <= 1) return c.fix_node(n, "reduces over the channels");
  }
  c.tie_values(x, out, n);
}

void couple_transpose(Coupler& c, const Node& n) {
  std::vector<int64_t> perm = n.attrs.get_ints("perm");
  if (perm.size() < 2 || perm[0] != 0 || perm[1] != 1) return c.fix_node(n, "moves the channel axis");
  if (!c.tracked(n.inputs.at(0))) return c.fix_node(n, "has no known channel axis");
  c.tie_values(n.inputs[0], n.outputs.at(0), n);
}

void couple_pad(Coupler& c, const Node& n) {
  ValueId x = n.inputs.at(0);
  const Tensor* pads = n.inputs.size() > 1 ? c.constant(n.inputs[1]) : nullptr;
  if (!c.tracked(x) || !pads) return c.fix_node(n, "pads by computed amounts");
  std::vector<int64_t> p = read_int_list(*pads, n, "pads");
  const size_t r = static_cast<size_t>(rank_of(c, x));
  if (p.size() != 2 * r || p[0] || p[1] || p[r] || p[r + 1]) return c.fix_node(n, "pads the batch or channel axis");
  c.tie_values(x, n.outputs.at(0), n);
}

}  // namespace

void couple_node(Coupler& c, NodeId id) {
  const Node& n = c.graph().node(id);
  const std::string& op = n.op;
  if (!n.domain.empty() && n.domain != "ai.onnx") return c.fix_node(n, "is a custom-domain op");
  if (channelwise_ops().count(op)) return couple_channelwise(c, n);
  if (broadcasting_ops().count(op)) return couple_broadcasting(c, id, n);
  if (op == "Softmax" || op == "LogSoftmax") return couple_softmax(c, n);
  if (op == "BatchNormalization") return couple_batchnorm(c, id, n);
  if (op == "Conv") return couple_conv(c, id, n);
  if (op == "Gemm" || op == "MatMul") return couple_dense(c, id, n);
  if (op == "Concat") return couple_concat(c, id, n);
  if (op == "Slice") return couple_slice(c, id, n);
  if (op == "Flatten") return couple_flatten(c, n);
  if (op == "Reshape") return couple_reshape(c, id, n);
  if (op == "Squeeze" || op == "Unsqueeze") return couple_squeeze(c, n);
  if (op == "Transpose") return couple_transpose(c, n);
  if (op.rfind("Reduce", 0) == 0) return couple_reduce(c, n);
  if (op == "Pad") return couple_pad(c, n);
  c.fix_node(n, "has no channel rule");
}

}  // namespace prunq::structured
