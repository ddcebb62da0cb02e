#include "graph/graph.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace prunq {

std::string TensorType::str() const {
  std::string s = std::string(dtype_name(dtype)) + (rank_known ? shape_str(shape) : "[?]");
  if (quant) s += " q(" + quant->str() + ")";
  return s;
}

std::string Graph::unique_name(const std::string& base, bool for_node) const {
  auto taken = [&](const std::string& n) {
    if (for_node)
      return std::any_of(nodes_.begin(), nodes_.end(), [&](const Node& x) { return x.name == n; });
    return by_name_.count(n) != 0;
  };
  if (!base.empty() && !taken(base)) return base;
  std::string stem = base.empty() ? (for_node ? "node" : "v") : base;
  for (int i = 1;; ++i) {
    std::string n = stem + "_" + std::to_string(i);
    if (!taken(n)) return n;
  }
}

ValueId Graph::add_value(const std::string& name, TensorType type) {
  Value v{unique_name(name, false), std::move(type)};
  ValueId id = static_cast<ValueId>(values_.size());
  by_name_[v.name] = id;
  values_.push_back(std::move(v));
  return id;
}

ValueId Graph::add_input(const std::string& name, TensorType type) {
  PRUNQ_CHECK(by_name_.count(name) == 0, "graph input name '", name, "' is already used");
  ValueId id = add_value(name, std::move(type));
  inputs_.push_back(id);
  return id;
}

ValueId Graph::add_initializer(const std::string& name, Tensor data, bool trainable) {
  PRUNQ_CHECK(data.defined(), "initializer '", name, "' has no data");
  PRUNQ_CHECK(by_name_.count(name) == 0, "initializer name '", name, "' is already used");
  ValueId id = add_value(name, TensorType{data.dtype(), data.shape(), true, data.quant()});
  inits_[id] = Initializer{std::move(data), trainable, Tensor()};
  return id;
}

void Graph::add_output(ValueId v) {
  value(v);  // bounds check
  outputs_.push_back(v);
}

NodeId Graph::add_node(Node node) {
  for (ValueId v : node.inputs)
    PRUNQ_CHECK(v == kNoValue || (v >= 0 && v < num_values()), "node '", node.name, "' (", node.op,
                "): input value id ", v, " does not exist");
  for (ValueId v : node.outputs)
    PRUNQ_CHECK(v >= 0 && v < num_values(), "node '", node.name, "' (", node.op, "): output value id ", v,
                " does not exist");
  node.name = unique_name(node.name.empty() ? node.op : node.name, true);
  nodes_.push_back(std::move(node));
  return static_cast<NodeId>(nodes_.size() - 1);
}

const Value& Graph::value(ValueId v) const {
  PRUNQ_CHECK(v >= 0 && v < num_values(), "value id ", v, " out of range (graph has ", num_values(), ")");
  return values_[static_cast<size_t>(v)];
}
Value& Graph::value(ValueId v) {
  PRUNQ_CHECK(v >= 0 && v < num_values(), "value id ", v, " out of range (graph has ", num_values(), ")");
  return values_[static_cast<size_t>(v)];
}

ValueId Graph::find_value(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? kNoValue : it->second;
}

const Node& Graph::node(NodeId n) const {
  PRUNQ_CHECK(n >= 0 && n < static_cast<NodeId>(nodes_.size()), "node id ", n, " out of range");
  return nodes_[static_cast<size_t>(n)];
}
Node& Graph::node(NodeId n) {
  PRUNQ_CHECK(n >= 0 && n < static_cast<NodeId>(nodes_.size()), "node id ", n, " out of range");
  return nodes_[static_cast<size_t>(n)];
}

const Initializer* Graph::initializer(ValueId v) const {
  auto it = inits_.find(v);
  return it == inits_.end() ? nullptr : &it->second;
}
Initializer* Graph::initializer(ValueId v) {
  auto it = inits_.find(v);
  return it == inits_.end() ? nullptr : &it->second;
}
const Initializer& Graph::initializer(const std::string& name) const {
  const Initializer* i = initializer(find_value(name));
  PRUNQ_CHECK(i, "no initializer named '", name, "'");
  return *i;
}
Initializer& Graph::initializer(const std::string& name) {
  Initializer* i = initializer(find_value(name));
  PRUNQ_CHECK(i, "no initializer named '", name, "'");
  return *i;
}

std::vector<NodeId> Graph::producer_map() const {
  std::vector<NodeId> p(values_.size(), -1);
  for (size_t n = 0; n < nodes_.size(); ++n)
    for (ValueId v : nodes_[n].outputs) {
      PRUNQ_CHECK(p[static_cast<size_t>(v)] < 0, "value '", values_[static_cast<size_t>(v)].name,
                  "' is produced by two nodes: '", nodes_[static_cast<size_t>(p[static_cast<size_t>(v)])].name,
                  "' and '", nodes_[n].name, "'");
      p[static_cast<size_t>(v)] = static_cast<NodeId>(n);
    }
  return p;
}

std::vector<std::vector<NodeId>> Graph::consumer_map() const {
  std::vector<std::vector<NodeId>> c(values_.size());
  for (size_t n = 0; n < nodes_.size(); ++n)
    for (ValueId v : nodes_[n].inputs)
      if (v != kNoValue) {
        auto& list = c[static_cast<size_t>(v)];
        if (list.empty() || list.back() != static_cast<NodeId>(n)) list.push_back(static_cast<NodeId>(n));
      }
  return c;
}

std::vector<NodeId> Graph::topo_order() const {
  std::vector<NodeId> prod = producer_map();
  std::vector<int> state(nodes_.size(), 0);  // 0 new, 1 on stack, 2 done
  std::vector<NodeId> order;
  order.reserve(nodes_.size());
  // Iterative DFS so deep graphs cannot overflow the stack.
  for (size_t root = 0; root < nodes_.size(); ++root) {
    if (state[root]) continue;
    std::vector<std::pair<NodeId, size_t>> stack{{static_cast<NodeId>(root), 0}};
    state[root] = 1;
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      const Node& node = nodes_[static_cast<size_t>(n)];
      if (i < node.inputs.size()) {
        ValueId v = node.inputs[i++];
        if (v == kNoValue) continue;
        NodeId p = prod[static_cast<size_t>(v)];
        if (p < 0) continue;
        if (state[static_cast<size_t>(p)] == 1)
          fail("graph has a cycle through node '", nodes_[static_cast<size_t>(p)].name, "'");
        if (state[static_cast<size_t>(p)] == 0) {
          state[static_cast<size_t>(p)] = 1;
          stack.push_back({p, 0});
        }
      } else {
        state[static_cast<size_t>(n)] = 2;
        order.push_back(n);
        stack.pop_back();
      }
    }
  }
  return order;
}

void Graph::replace_all_uses(ValueId from, ValueId to) {
  for (Node& n : nodes_)
    for (ValueId& v : n.inputs)
      if (v == from) v = to;
  for (ValueId& v : outputs_)
    if (v == from) v = to;
}

void Graph::rename_value(ValueId v, const std::string& new_name) {
  Value& val = value(v);
  if (val.name == new_name) return;
  PRUNQ_CHECK(!new_name.empty(), "cannot rename value '", val.name, "' to an empty name");
  PRUNQ_CHECK(by_name_.count(new_name) == 0, "cannot rename value '", val.name, "' to '", new_name,
              "': the name is already used");
  by_name_.erase(val.name);
  by_name_[new_name] = v;
  val.name = new_name;
}

void Graph::remove_nodes(const std::vector<NodeId>& ids) {
  std::set<NodeId> drop(ids.begin(), ids.end());
  std::vector<Node> kept;
  kept.reserve(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (!drop.count(static_cast<NodeId>(i))) kept.push_back(std::move(nodes_[i]));
  nodes_ = std::move(kept);
}

void Graph::prune_dead() {
  for (;;) {
    std::vector<char> used(values_.size(), 0);
    for (ValueId v : outputs_) used[static_cast<size_t>(v)] = 1;
    for (const Node& n : nodes_)
      for (ValueId v : n.inputs)
        if (v != kNoValue) used[static_cast<size_t>(v)] = 1;
    std::vector<NodeId> dead;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      bool any = false;
      for (ValueId v : nodes_[i].outputs) any |= used[static_cast<size_t>(v)] != 0;
      if (!any) dead.push_back(static_cast<NodeId>(i));
    }
    if (dead.empty()) {
      for (auto it = inits_.begin(); it != inits_.end();)
        it = used[static_cast<size_t>(it->first)] ? std::next(it) : inits_.erase(it);
      return;
    }
    remove_nodes(dead);
  }
}

int64_t Graph::num_parameters(bool trainable_only) const {
  int64_t n = 0;
  for (const auto& [v, init] : inits_)
    if (!trainable_only || init.trainable) n += init.data.numel();
  return n;
}

Graph Graph::clone() const {
  Graph g = *this;
  for (auto& [v, init] : g.inits_) {
    init.data = init.data.clone();
    if (init.mask.defined()) init.mask = init.mask.clone();
  }
  return g;
}

}  // namespace prunq
