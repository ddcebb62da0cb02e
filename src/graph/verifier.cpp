#include "graph/verifier.h"

#include <set>
#include <sstream>

#include "ops/op.h"

namespace prunq {
namespace {

class ProblemList {
 public:
  template <typename... Args>
  void add(Args&&... args) {
    lines_.push_back(detail::concat(std::forward<Args>(args)...));
  }
  std::vector<std::string> take() { return std::move(lines_); }

 private:
  std::vector<std::string> lines_;
};

bool in_range(const Graph& g, ValueId v) { return v >= 0 && v < g.num_values(); }

std::string node_desc(const Node& n) { return detail::concat("node '", n.name, "' (", n.op, ")"); }

// Ids and names. Returns false when some id is out of range: later checks index by id.
bool check_ids_and_names(const Graph& g, ProblemList& p) {
  bool ids_ok = true;
  std::set<std::string> value_names;
  for (ValueId v = 0; v < g.num_values(); ++v) {
    const std::string& name = g.value(v).name;
    if (name.empty()) p.add("value #", v, " has an empty name");
    else if (!value_names.insert(name).second) p.add("value name '", name, "' is used twice");
  }
  auto check_id = [&](ValueId v, const std::string& where) {
    if (in_range(g, v)) return;
    p.add(where, " id ", v, " does not exist");
    ids_ok = false;
  };
  for (ValueId v : g.inputs()) check_id(v, "graph input");
  for (ValueId v : g.outputs()) check_id(v, "graph output");
  for (const auto& [v, init] : g.initializers()) check_id(v, "initializer");
  std::set<std::string> node_names;
  for (const Node& n : g.nodes()) {
    if (n.name.empty()) p.add("a node of op ", n.op, " has an empty name");
    else if (!node_names.insert(n.name).second) p.add("node name '", n.name, "' is used twice");
    for (ValueId v : n.inputs)
      if (v != kNoValue) check_id(v, node_desc(n) + ": input");
    for (ValueId v : n.outputs) check_id(v, node_desc(n) + ": output");
    if (n.outputs.empty()) p.add(node_desc(n), " has no outputs");
  }
  if (g.outputs().empty()) p.add("the graph has no outputs");
  return ids_ok;
}

// Sources of values: graph inputs, initializers, node outputs; exactly one each.
std::vector<NodeId> check_producers(const Graph& g, ProblemList& p) {
  std::vector<NodeId> producer(static_cast<size_t>(g.num_values()), -1);
  std::vector<char> is_source(static_cast<size_t>(g.num_values()), 0);
  for (ValueId v : g.inputs()) {
    if (is_source[static_cast<size_t>(v)]) p.add("value '", g.value(v).name, "' is listed twice as a graph input");
    is_source[static_cast<size_t>(v)] = 1;
  }
  for (const auto& [v, init] : g.initializers()) {
    if (is_source[static_cast<size_t>(v)]) p.add("value '", g.value(v).name, "' is both a graph input and an initializer");
    is_source[static_cast<size_t>(v)] = 1;
  }
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node& n = g.nodes()[i];
    for (ValueId v : n.outputs) {
      const std::string& name = g.value(v).name;
      NodeId& prod = producer[static_cast<size_t>(v)];
      if (prod >= 0)
        p.add("value '", name, "' is produced by two nodes: '", g.nodes()[static_cast<size_t>(prod)].name, "' and '",
              n.name, "'");
      else if (is_source[static_cast<size_t>(v)])
        p.add(node_desc(n), " writes value '", name, "', which is a graph input or initializer");
      prod = static_cast<NodeId>(i);
    }
  }
  for (const Node& n : g.nodes())
    for (ValueId v : n.inputs)
      if (v != kNoValue && producer[static_cast<size_t>(v)] < 0 && !is_source[static_cast<size_t>(v)])
        p.add(node_desc(n), " reads value '", g.value(v).name, "', which no node, graph input or initializer defines");
  for (ValueId v : g.outputs())
    if (producer[static_cast<size_t>(v)] < 0 && !is_source[static_cast<size_t>(v)])
      p.add("graph output '", g.value(v).name, "' is never defined");
  return producer;
}

// Kahn's algorithm; nodes never scheduled sit on (or behind) a cycle.
void check_acyclic(const Graph& g, const std::vector<NodeId>& producer, ProblemList& p) {
  size_t n = g.nodes().size();
  std::vector<int> pending(n, 0);
  std::vector<std::vector<size_t>> users(n);
  for (size_t i = 0; i < n; ++i)
    for (ValueId v : g.nodes()[i].inputs) {
      if (v == kNoValue || producer[static_cast<size_t>(v)] < 0) continue;
      ++pending[i];
      users[static_cast<size_t>(producer[static_cast<size_t>(v)])].push_back(i);
    }
  std::vector<size_t> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push_back(i);
  size_t done = 0;
  while (!ready.empty()) {
    size_t i = ready.back();
    ready.pop_back();
    ++done;
    for (size_t u : users[i])
      if (--pending[u] == 0) ready.push_back(u);
  }
  if (done == n) return;
  std::ostringstream names;
  int listed = 0;
  for (size_t i = 0; i < n && listed < 8; ++i)
    if (pending[i] > 0) names << (listed++ ? ", " : "") << "'" << g.nodes()[i].name << "'";
  p.add("the graph has a cycle; nodes that can never run: ", names.str(), n - done > 8 ? ", ..." : "");
}

void check_initializers(const Graph& g, ProblemList& p) {
  for (const auto& [v, init] : g.initializers()) {
    const Value& val = g.value(v);
    if (!init.data.defined()) {
      p.add("initializer '", val.name, "' has no data");
      continue;
    }
    const TensorType& t = val.type;
    if (t.dtype != init.data.dtype() || !t.rank_known || t.shape != init.data.shape())
      p.add("initializer '", val.name, "' holds ", init.data.desc(), " but its value is declared ", t.str());
    else if (!same_quant(t.quant, init.data.quant()))
      p.add("initializer '", val.name, "' is quantized as (", init.data.quantized() ? init.data.quant()->str() : "none",
            ") but its value is declared ", t.str());
    if (init.mask.defined() && (init.mask.dtype() != DType::f32 || init.mask.shape() != init.data.shape()))
      p.add("initializer '", val.name, "' has a mask ", init.mask.desc(), " that does not match its data ",
            init.data.desc());
  }
}

// Declared quantization parameters must fit their value's dtype and shape (counts, axis range,
// finite scales > 0, zero points in range).
void check_quant_params(const Graph& g, ProblemList& p) {
  for (ValueId v = 0; v < g.num_values(); ++v) {
    const TensorType& t = g.value(v).type;
    if (!t.quant) continue;
    std::string why = quant_problem(*t.quant, t.dtype, t.shape, t.rank_known);
    if (!why.empty()) p.add("value '", g.value(v).name, "' (", t.str(), "): bad quantization parameters: ", why);
  }
}

void check_ops_known(const Graph& g, ProblemList& p) {
  std::ostringstream unknown;
  int count = 0;
  for (const Node& n : g.nodes())
    if (!find_op(n.op)) unknown << (count++ ? ", " : "") << "'" << n.op << "' (node '" << n.name << "')";
  if (count) p.add(count, count == 1 ? " unknown op: " : " unknown ops: ", unknown.str());
}

}  // namespace

std::vector<std::string> find_graph_problems(const Graph& g) {
  ProblemList p;
  if (check_ids_and_names(g, p)) {
    std::vector<NodeId> producer = check_producers(g, p);
    check_acyclic(g, producer, p);
    check_initializers(g, p);
    check_quant_params(g, p);
  }
  check_ops_known(g, p);
  return p.take();
}

void verify_graph(const Graph& g) {
  std::vector<std::string> problems = find_graph_problems(g);
  if (problems.empty()) return;
  std::ostringstream os;
  os << "graph '" << g.name << "' is invalid (" << problems.size() << (problems.size() == 1 ? " problem" : " problems")
     << "):";
  for (const std::string& s : problems) os << "\n  - " << s;
  fail(os.str());
}

}  // namespace prunq
