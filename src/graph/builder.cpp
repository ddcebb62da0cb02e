#include "graph/builder.h"

#include <algorithm>
#include <cmath>

#include "graph/shape_inference.h"
#include "graph/verifier.h"

namespace prunq {
namespace {

// PyTorch's default for Conv/Linear: kaiming_uniform_(a=sqrt(5)) on the weight, which works out
// to U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias uses the same bound.
Tensor uniform(Shape shape, float bound, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> dist(-bound, bound);
  Tensor t(DType::f32, std::move(shape));
  float* p = t.f32();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(rng);
  return t;
}

bool node_name_taken(const Graph& g, const std::string& name) {
  return std::any_of(g.nodes().begin(), g.nodes().end(), [&](const Node& n) { return n.name == name; });
}

// A name the caller chose must be free; otherwise the op type is numbered ("Relu", "Relu_1"...).
std::string fresh_node_name(const Graph& g, const std::string& op_type, const std::string& requested) {
  if (!requested.empty()) {
    PRUNQ_CHECK(!node_name_taken(g, requested), "node name '", requested, "' is already used");
    return requested;
  }
  std::string name = op_type;
  for (int i = 1; node_name_taken(g, name); ++i) name = op_type + "_" + std::to_string(i);
  return name;
}

std::string fresh_value_name(const Graph& g, const std::string& base) {
  std::string name = base;
  for (int i = 1; g.find_value(name) != kNoValue; ++i) name = base + "_" + std::to_string(i);
  return name;
}

}  // namespace

GraphBuilder::GraphBuilder(std::string graph_name, uint64_t seed) : rng_(seed) { g_.name = std::move(graph_name); }

ValueId GraphBuilder::input(const std::string& name, DType dtype, Shape shape) {
  for (int64_t d : shape) PRUNQ_CHECK(d >= -1, "input '", name, "': bad dimension ", d, " in ", shape_str(shape));
  return g_.add_input(name, TensorType{dtype, std::move(shape), true});
}

ValueId GraphBuilder::param(const std::string& name, Tensor value, bool trainable) {
  return g_.add_initializer(name, std::move(value), trainable);
}

std::vector<ValueId> GraphBuilder::op(const std::string& op_type, const std::vector<ValueId>& inputs, Attributes attrs,
                                      int num_outputs, const std::string& node_name) {
  PRUNQ_CHECK(num_outputs >= 1, "node '", node_name, "' (", op_type, "): needs at least one output");
  std::string name = fresh_node_name(g_, op_type, node_name);

  Node node;
  node.op = op_type;
  node.name = name;
  node.inputs = inputs;
  node.attrs = std::move(attrs);
  // Output values are named after the node; their types come from shape inference in finish().
  for (int i = 0; i < num_outputs; ++i)
    node.outputs.push_back(
        g_.add_value(num_outputs == 1 ? name : name + ":" + std::to_string(i), TensorType{DType::f32, {}, false}));
  g_.add_node(std::move(node));
  return g_.nodes().back().outputs;
}

ValueId GraphBuilder::conv2d(ValueId x, int64_t in_ch, int64_t out_ch, int64_t kernel, int64_t stride, int64_t pad,
                             int64_t groups, bool bias, const std::string& name) {
  PRUNQ_CHECK(in_ch > 0 && out_ch > 0 && kernel > 0 && stride > 0 && pad >= 0 && groups > 0, "conv2d '", name,
              "': bad geometry in=", in_ch, " out=", out_ch, " kernel=", kernel, " stride=", stride, " pad=", pad,
              " groups=", groups);
  PRUNQ_CHECK(in_ch % groups == 0 && out_ch % groups == 0, "conv2d '", name, "': channels ", in_ch, " -> ", out_ch,
              " are not divisible by groups=", groups);
  int64_t fan_in = in_ch / groups * kernel * kernel;
  float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
  std::vector<ValueId> ins{x, param(name + ".weight", uniform({out_ch, in_ch / groups, kernel, kernel}, bound, rng_))};
  if (bias) ins.push_back(param(name + ".bias", uniform({out_ch}, bound, rng_)));
  Attributes a;
  a.set("kernel_shape", std::vector<int64_t>{kernel, kernel});
  a.set("strides", std::vector<int64_t>{stride, stride});
  a.set("pads", std::vector<int64_t>{pad, pad, pad, pad});
  a.set("dilations", std::vector<int64_t>{1, 1});
  a.set("group", groups);
  return op1("Conv", ins, std::move(a), name);
}

ValueId GraphBuilder::linear(ValueId x, int64_t in_features, int64_t out_features, bool bias, const std::string& name) {
  PRUNQ_CHECK(in_features > 0 && out_features > 0, "linear '", name, "': bad features ", in_features, " -> ",
              out_features);
  float bound = 1.0f / std::sqrt(static_cast<float>(in_features));
  std::vector<ValueId> ins{x, param(name + ".weight", uniform({out_features, in_features}, bound, rng_))};
  if (bias) ins.push_back(param(name + ".bias", uniform({out_features}, bound, rng_)));
  Attributes a;
  a.set("transB", int64_t{1});  // weight kept in PyTorch's [out, in] layout
  return op1("Gemm", ins, std::move(a), name);
}

ValueId GraphBuilder::batchnorm(ValueId x, int64_t channels, const std::string& name, float eps, float momentum) {
  PRUNQ_CHECK(channels > 0, "batchnorm '", name, "': bad channel count ", channels);
  ValueId scale = param(name + ".weight", Tensor::full({channels}, 1.0f), true);
  ValueId shift = param(name + ".bias", Tensor::full({channels}, 0.0f), true);
  ValueId mean = param(name + ".running_mean", Tensor::full({channels}, 0.0f), false);
  ValueId var = param(name + ".running_var", Tensor::full({channels}, 1.0f), false);
  Attributes a;
  a.set("epsilon", eps);
  a.set("momentum", momentum);
  return op1("BatchNormalization", {x, scale, shift, mean, var}, std::move(a), name);
}

ValueId GraphBuilder::relu6(ValueId x, const std::string& name) {
  // The bounds are per-node constants named after the node, e.g. "block1.relu6.min".
  std::string node = fresh_node_name(g_, "Clip", name);
  ValueId min_v = constant(fresh_value_name(g_, node + ".min"), Tensor::scalar(0.0f));
  ValueId max_v = constant(fresh_value_name(g_, node + ".max"), Tensor::scalar(6.0f));
  return op1("Clip", {x, min_v, max_v}, {}, node);
}

ValueId GraphBuilder::maxpool(ValueId x, int64_t kernel, int64_t stride, const std::string& name) {
  PRUNQ_CHECK(kernel > 0 && stride > 0, "maxpool '", name, "': bad kernel ", kernel, " or stride ", stride);
  Attributes a;
  a.set("kernel_shape", std::vector<int64_t>{kernel, kernel});
  a.set("strides", std::vector<int64_t>{stride, stride});
  return op1("MaxPool", {x}, std::move(a), name);
}

ValueId GraphBuilder::global_avgpool(ValueId x, const std::string& name) {
  return op1("GlobalAveragePool", {x}, {}, name);
}

ValueId GraphBuilder::flatten(ValueId x, const std::string& name) {
  Attributes a;
  a.set("axis", int64_t{1});
  return op1("Flatten", {x}, std::move(a), name);
}

void GraphBuilder::output(ValueId v, const std::string& rename) {
  if (!rename.empty()) g_.rename_value(v, rename);
  g_.add_output(v);
}

Graph GraphBuilder::finish() {
  verify_graph(g_);
  infer_shapes(g_);
  return g_;
}

}  // namespace prunq
