// The operator interface. One stateless Op object per op type; everything per-node lives in
// the contexts. Every op provides: shape inference, a reference forward and (when trainable) a
// backward rule. A missing backward rule is a named error, never silent zero gradients.
//
// Adding an op: write src/ops/<group>/<name>.cpp defining `const Op& op_<Name>()`, add a line
// to op_list.h (a missing definition then fails at link time), add its cases to the op tests
// (forward vs hand-computed values + finite-difference gradient check), and an ONNX mapping.
#pragma once
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "graph/graph.h"

namespace prunq {

struct InferContext {
  const Node& node;
  std::vector<TensorType> inputs;          // one per node input; default for omitted ones
  std::vector<bool> present;               // false for omitted optional inputs
  std::vector<const Tensor*> constants;    // known constant value of an input (initializer), else nullptr
  std::vector<TensorType> outputs;         // to fill: one per node output
  const Attributes& attrs() const { return node.attrs; }
  bool has(size_t i) const { return i < present.size() && present[i]; }
};

// Per-node state owned by the executor, alive as long as it is.
struct NodeState {
  std::vector<Tensor> saved;          // what forward saved for backward (training mode only)
  std::shared_ptr<void> prepacked;    // op-specific cache built once (packed weights, tables)
};

struct ForwardContext {
  const Node& node;
  std::vector<const Tensor*> inputs;  // nullptr for omitted optional inputs
  std::vector<Tensor> outputs;        // to fill: one per node output
  bool training = false;
  NodeState& state;
  std::mt19937_64& rng;               // seeded by the executor (dropout)
  const Attributes& attrs() const { return node.attrs; }
  const Tensor& in(size_t i) const;   // throws if the input is absent
  bool has(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
};

struct BackwardContext {
  const Node& node;
  std::vector<const Tensor*> inputs;        // forward inputs (nullptr when omitted)
  std::vector<const Tensor*> outputs;       // forward outputs
  std::vector<const Tensor*> grad_outputs;  // nullptr: no gradient reaches that output (zero)
  std::vector<bool> need_grad;              // per input: is its gradient wanted
  std::vector<Tensor> grad_inputs;          // to fill where need_grad; same shape as the input
  NodeState& state;
  const Attributes& attrs() const { return node.attrs; }
  const Tensor& in(size_t i) const;
};

class Op {
 public:
  virtual ~Op() = default;
  virtual std::string_view name() const = 0;
  virtual void infer(InferContext& ctx) const = 0;
  virtual void forward(ForwardContext& ctx) const = 0;
  // Does the op have a backward rule at all, and is input i differentiable (e.g. Reshape's
  // shape input, the labels of a loss and integer inputs are not).
  virtual bool has_backward() const { return false; }
  virtual bool input_differentiable(size_t i) const { (void)i; return true; }
  virtual void backward(BackwardContext& ctx) const;  // default: throws "no backward rule"
};

// Registry of all ops (from op_list.h). find_op returns nullptr for unknown names.
const Op* find_op(std::string_view name);
const Op& get_op(const Node& node);  // throws "unknown op 'X' (node 'n')"
std::vector<std::string_view> all_op_names();

}  // namespace prunq
