// The one graph IR. Importers build it, passes rewrite it, the executor runs it, autodiff
// differentiates it and exporters write it. Op types and attributes follow ONNX names
// ("Conv", "Gemm", "BatchNormalization", ...) so import/export is a 1:1 mapping; prunq's own
// ops live in domain "prunq".
//
// Values are SSA edges identified by a ValueId (index into values()). A value is produced by
// exactly one node, or is a graph input, or an initializer (a constant/parameter tensor).
// Node order in nodes() is free; topo_order() gives an execution order.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "graph/attribute.h"

namespace prunq {

using ValueId = int32_t;
using NodeId = int32_t;
inline constexpr ValueId kNoValue = -1;

// Static type of a value. shape dims may be -1 (unknown, e.g. the batch); rank_known=false means
// even the rank is unknown. quant: the quantization parameters of an integer value (shared with
// the tensors that hold it; an initializer's are its tensor's), null for plain values.
struct TensorType {
  DType dtype = DType::f32;
  Shape shape;
  bool rank_known = true;
  QuantPtr quant;
  TensorType() = default;
  TensorType(DType d, Shape s, bool rank_known_ = true, QuantPtr q = nullptr)
      : dtype(d), shape(std::move(s)), rank_known(rank_known_), quant(std::move(q)) {}
  std::string str() const;  // "f32[-1, 10]", "i8[-1, 16] q(scale=0.05 zp=3)"
};

struct Value {
  std::string name;
  TensorType type;
};

// A constant tensor bound to a value: weights, biases, BN statistics, quantization scales.
// trainable: the optimiser updates it. mask: optional pruning mask (f32 0/1, same shape);
// the optimiser re-applies it after each step so pruned weights stay zero while fine-tuning.
struct Initializer {
  Tensor data;
  bool trainable = false;
  Tensor mask;
};

struct Node {
  std::string op;       // op type, ONNX name
  std::string name;     // unique, human-readable ("conv1", "layer2.0.bn1")
  std::string domain;   // "" for ai.onnx, "prunq" for ours
  std::vector<ValueId> inputs;   // kNoValue marks an omitted optional input
  std::vector<ValueId> outputs;
  Attributes attrs;
};

class Graph {
 public:
  std::string name = "model";

  // Construction. Names must be unique among values; add_value makes one unique if taken.
  ValueId add_value(const std::string& name, TensorType type = {});
  ValueId add_input(const std::string& name, TensorType type);
  ValueId add_initializer(const std::string& name, Tensor data, bool trainable);
  void add_output(ValueId v);
  NodeId add_node(Node node);  // fills in a unique name when empty

  // Access.
  int num_values() const { return static_cast<int>(values_.size()); }
  const Value& value(ValueId v) const;
  Value& value(ValueId v);
  ValueId find_value(const std::string& name) const;  // kNoValue when absent
  const std::vector<Node>& nodes() const { return nodes_; }
  std::vector<Node>& nodes() { return nodes_; }
  const Node& node(NodeId n) const;
  Node& node(NodeId n);
  const std::vector<ValueId>& inputs() const { return inputs_; }
  std::vector<ValueId>& inputs() { return inputs_; }
  const std::vector<ValueId>& outputs() const { return outputs_; }
  std::vector<ValueId>& outputs() { return outputs_; }
  const std::map<ValueId, Initializer>& initializers() const { return inits_; }
  std::map<ValueId, Initializer>& initializers() { return inits_; }
  bool is_initializer(ValueId v) const { return inits_.count(v) != 0; }
  const Initializer* initializer(ValueId v) const;
  Initializer* initializer(ValueId v);
  const Initializer& initializer(const std::string& name) const;  // throws when absent
  Initializer& initializer(const std::string& name);

  // Structure queries (recomputed on each call; graphs are small).
  std::vector<NodeId> producer_map() const;                 // value -> producing node or -1
  std::vector<std::vector<NodeId>> consumer_map() const;    // value -> consuming nodes
  std::vector<NodeId> topo_order() const;                   // throws on a cycle, naming a node in it

  // Rewriting helpers for passes.
  void replace_all_uses(ValueId from, ValueId to);  // in node inputs and graph outputs
  void rename_value(ValueId v, const std::string& new_name);  // throws when new_name is taken
  void remove_nodes(const std::vector<NodeId>& ids);
  // Drops nodes whose outputs are unused and initializers/values no longer referenced.
  void prune_dead();

  int64_t num_parameters(bool trainable_only = true) const;
  Graph clone() const;  // deep copy of all initializer tensors

 private:
  std::string unique_name(const std::string& base, bool for_node) const;
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  std::vector<ValueId> inputs_, outputs_;
  std::map<ValueId, Initializer> inits_;
  std::map<std::string, ValueId> by_name_;
};

}  // namespace prunq
