#include "prune/structured/channel_surgery.h"

#include <algorithm>
#include <map>

#include "graph/shape_inference.h"
#include "graph/verifier.h"
#include "ops/shape/shape_util.h"
#include "prune/structured/tensor_cut.h"

namespace prunq::structured {
namespace {

class Surgery {
 public:
  Surgery(Graph& g, const ChannelAnalysis& a, const std::vector<bool>& alive) : g_(g), a_(a), alive_(alive) {
    for (const Node& n : g.nodes())
      for (ValueId v : n.inputs)
        if (v != kNoValue) ++uses_[v];
    for (ValueId v : g.outputs()) ++uses_[v];
  }

  bool alive(int64_t e) const { return alive_[a_.cluster_of[e]]; }

  int64_t alive_count(ValueId v, int64_t begin, int64_t end) const {
    int64_t n = 0;
    for (int64_t i = begin; i < end; ++i) n += alive(a_.range[v].begin + i);
    return n;
  }
  int64_t alive_count(ValueId v) const { return alive_count(v, 0, a_.range[v].count); }

  // Gives input `input` of node n the tensor `data` (and `mask`): in place when n is the
  // initializer's only user, else as a new initializer for this use alone.
  void replace_input(NodeId n, int input, Tensor data, Tensor mask) {
    ValueId v = g_.node(n).inputs[input];
    Initializer& init = *g_.initializer(v);
    if (uses_[v] == 1) {
      init.data = std::move(data);
      init.mask = std::move(mask);
      return;
    }
    const bool trainable = init.trainable;
    std::string name = g_.value(v).name + "." + g_.node(n).name;
    for (int i = 1; g_.find_value(name) != kNoValue; ++i) name = g_.value(v).name + "." + g_.node(n).name + "_" + std::to_string(i);
    --uses_[v];
    ValueId nv = g_.add_initializer(name, std::move(data), trainable);
    g_.initializer(nv)->mask = std::move(mask);
    uses_[nv] = 1;
    g_.node(n).inputs[input] = nv;
  }

  void cut_parameters() {
    std::map<std::pair<NodeId, int>, std::vector<const ParamCut*>> by_use;
    for (const ParamCut& c : a_.cuts) by_use[{c.node, c.input}].push_back(&c);
    for (const auto& [use, cuts] : by_use) {
      const Initializer& init = *g_.initializer(g_.node(use.first).inputs[use.second]);
      Tensor data = init.data, mask = init.mask;
      bool changed = false;
      for (const ParamCut* c : cuts) {
        std::vector<int64_t> keep;
        for (size_t i = 0; i < c->element.size(); ++i)
          if (alive(c->element[i])) keep.push_back(static_cast<int64_t>(i));
        if (keep.size() == c->element.size()) continue;
        changed = true;
        data = keep_along_axis(data, c->axis, keep);
        if (mask.defined()) mask = keep_along_axis(mask, c->axis, keep);
      }
      if (changed) replace_input(use.first, use.second, std::move(data), std::move(mask));
    }
  }

  // A 1-d int list constant (starts, ends, shape) with entry `pos` set to `value`, in its dtype.
  void set_list_entry(NodeId n, int input, int64_t pos, int64_t value) {
    const Tensor& old = g_.initializer(g_.node(n).inputs[input])->data;
    std::vector<int64_t> list = read_int_list(old, g_.node(n), "list");
    list.at(static_cast<size_t>(pos)) = value;
    Tensor t = Tensor::from_vector_i64(old.shape(), list);
    if (old.dtype() != DType::i64) t = t.to(old.dtype());
    replace_input(n, input, std::move(t), Tensor());
  }

  void fix_conv_group(NodeId id) {
    Node& n = g_.node(id);
    const int64_t cin = alive_count(n.inputs[0]);
    const int64_t per_group = g_.initializer(n.inputs[1])->data.dim(1);
    PRUNQ_CHECK(cin % per_group == 0, "structured pruning: ", n.name, " would get ", cin,
                " input channels, not a multiple of ", per_group, " per group");
    n.attrs.set("group", cin / per_group);
  }

  void fix_channel_slice(NodeId id, int64_t pos, int64_t start) {
    const Node& n = g_.node(id);
    const ValueId x = n.inputs[0], out = n.outputs[0];
    // The output's channels are input channels [start, start + count) (tied one to one), so the
    // new bounds count the surviving input channels before the old start.
    const int64_t new_start = alive_count(x, 0, start), new_end = new_start + alive_count(out);
    if (n.inputs.size() > 1) {
      set_list_entry(id, 1, pos, new_start);
      set_list_entry(id, 2, pos, new_end);
    } else {
      Node& m = g_.node(id);
      std::vector<int64_t> s = m.attrs.get_ints("starts"), e = m.attrs.get_ints("ends");
      s.at(pos) = new_start, e.at(pos) = new_end;
      m.attrs.set("starts", s);
      m.attrs.set("ends", e);
    }
  }

  void fix_reshape(NodeId id) {
    const Node& n = g_.node(id);
    std::vector<int64_t> spec = read_int_list(g_.initializer(n.inputs[1])->data, n, "shape");
    // 0 (copy) and -1 (inferred) follow the input by themselves; only an explicit size changes.
    if (spec.size() >= 2 && spec[1] > 0) set_list_entry(id, 1, 1, alive_count(n.outputs[0]));
  }

  void run() {
    cut_parameters();
    for (const ShapeFix& f : a_.fixes) {
      switch (f.kind) {
        case ShapeFixKind::kConvGroup: fix_conv_group(f.node); break;
        case ShapeFixKind::kChannelSlice: fix_channel_slice(f.node, f.position, f.start); break;
        case ShapeFixKind::kReshapeShape: fix_reshape(f.node); break;
      }
    }
    g_.prune_dead();
    infer_shapes(g_);
    verify_graph(g_);
  }

 private:
  Graph& g_;
  const ChannelAnalysis& a_;
  const std::vector<bool>& alive_;
  std::map<ValueId, int> uses_;
};

}  // namespace

void cut_channels(Graph& g, const ChannelAnalysis& a, const std::vector<bool>& alive) {
  PRUNQ_CHECK(alive.size() == a.cluster_elements.size(), "structured pruning: ", alive.size(),
              " cluster flags for ", a.cluster_elements.size(), " clusters");
  for (ValueId v = 0; v < static_cast<ValueId>(a.range.size()); ++v) {
    if (a.range[v].count == 0) continue;
    int64_t left = 0;
    for (int64_t i = 0; i < a.range[v].count; ++i) left += alive[a.cluster_of[a.range[v].begin + i]];
    PRUNQ_CHECK(left > 0, "structured pruning: every channel of '", g.value(v).name, "' would be removed");
  }
  Surgery(g, a, alive).run();
}

}  // namespace prunq::structured
