// The per-op channel rules of the dependency analysis (dependency_groups.h): how each op maps
// the channels of its inputs to the channels of its outputs. An op without a rule fixes every
// channel it touches, so an unknown op can make pruning do less but never cut wrongly.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "prune/structured/dependency_groups.h"

namespace prunq::structured {

// What a rule may do: tie elements, fix them, record parameter cuts and shape fixes.
class Coupler {
 public:
  Coupler(const Graph& g, const std::vector<TensorType>& types, ChannelAnalysis& a);

  const Graph& graph() const { return g_; }
  const TensorType& type(ValueId v) const { return types_[v]; }
  bool tracked(ValueId v) const { return v != kNoValue && a_.range[v].count > 0; }
  int64_t count(ValueId v) const { return a_.range[v].count; }
  int64_t element(ValueId v, int64_t i) const { return a_.range[v].begin + i; }
  const Tensor* constant(ValueId v) const;  // initializer data, or nullptr

  void tie(int64_t a, int64_t b);
  // Channel i of a with channel i of b; different counts fix both (reason names the node).
  void tie_values(ValueId a, ValueId b, const Node& n);
  void fix_element(int64_t e, const std::string& reason);
  void fix_value(ValueId v, const std::string& reason);
  // Every tracked input and output of n.
  void fix_node(const Node& n, const std::string& why);
  void cut(NodeId n, int input, int axis, CutRole role, std::vector<int64_t> elements);
  void shape_fix(NodeId n, ShapeFixKind kind, int64_t position = 0, int64_t start = 0);

  // Root of an element / a value in the union-find forests.
  int64_t root(int64_t e);
  ValueId value_root(ValueId v);
  // Why element e is fixed, or nullptr while it is free.
  const std::string* fixed_reason(int64_t e) const;

 private:
  const Graph& g_;
  const std::vector<TensorType>& types_;
  ChannelAnalysis& a_;
  std::vector<int64_t> parent_;
  std::vector<ValueId> value_parent_;
  std::vector<std::string> reasons_;
  std::vector<int32_t> reason_of_;  // per element: index into reasons_, -1 while free
};

// Applies the rule of g.node(n).
void couple_node(Coupler& c, NodeId n);

}  // namespace prunq::structured
