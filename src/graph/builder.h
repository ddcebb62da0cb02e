// A small C++ API to define models in code (the model zoo and tests use it). Parameters are
// initialised like PyTorch's defaults (Kaiming-uniform weights, uniform biases) from a seeded RNG,
// so runs are reproducible.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq {

class GraphBuilder {
 public:
  explicit GraphBuilder(std::string graph_name = "model", uint64_t seed = 0);

  ValueId input(const std::string& name, DType dtype, Shape shape);  // -1 dims allowed (batch)
  ValueId param(const std::string& name, Tensor value, bool trainable = true);
  ValueId constant(const std::string& name, Tensor value) { return param(name, std::move(value), false); }

  // Generic node: returns its outputs. node_name "" picks a unique one from the op type.
  std::vector<ValueId> op(const std::string& op_type, const std::vector<ValueId>& inputs, Attributes attrs = {},
                          int num_outputs = 1, const std::string& node_name = "");
  ValueId op1(const std::string& op_type, const std::vector<ValueId>& inputs, Attributes attrs = {},
              const std::string& node_name = "") {
    return op(op_type, inputs, std::move(attrs), 1, node_name)[0];
  }

  // Layers with their parameters ("<name>.weight", "<name>.bias", BN: scale/bias/mean/var).
  ValueId conv2d(ValueId x, int64_t in_ch, int64_t out_ch, int64_t kernel, int64_t stride, int64_t pad,
                 int64_t groups, bool bias, const std::string& name);
  ValueId linear(ValueId x, int64_t in_features, int64_t out_features, bool bias, const std::string& name);
  ValueId batchnorm(ValueId x, int64_t channels, const std::string& name, float eps = 1e-5f,
                    float momentum = 0.9f);
  ValueId relu(ValueId x, const std::string& name = "") { return op1("Relu", {x}, {}, name); }
  ValueId relu6(ValueId x, const std::string& name = "");  // Clip(0, 6)
  ValueId maxpool(ValueId x, int64_t kernel, int64_t stride, const std::string& name = "");
  ValueId global_avgpool(ValueId x, const std::string& name = "");
  ValueId flatten(ValueId x, const std::string& name = "");
  ValueId add(ValueId a, ValueId b, const std::string& name = "") { return op1("Add", {a, b}, {}, name); }

  void output(ValueId v, const std::string& rename = "");
  Graph& graph() { return g_; }
  std::mt19937_64& rng() { return rng_; }
  // Runs shape inference and the verifier; returns the finished graph.
  Graph finish();

 private:
  Graph g_;
  std::mt19937_64 rng_;
};

}  // namespace prunq
