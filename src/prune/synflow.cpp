#include "prune/synflow.h"

#include <cmath>
#include <memory>

#include "runtime/executor.h"

namespace prunq {
namespace {

Tensor abs_of(const Tensor& t) {
  Tensor r = t.contiguous().clone();
  float* p = r.f32();
  for (int64_t i = 0, n = r.numel(); i < n; ++i) p[i] = std::fabs(p[i]);
  return r;
}

// BatchNormalization -> Mul(|a|) + Add(|b|) with a = scale / sqrt(var + eps), b = B - mean * a:
// the inference-mode map, made positive like every other parameter of the linearised network.
void linearise_batchnorm(Graph& g, NodeId id) {
  const Node bn = g.node(id);
  PRUNQ_CHECK(bn.inputs.size() == 5, "synflow: BatchNormalization '", bn.name, "' needs 5 inputs");
  for (size_t i = 1; i < bn.outputs.size(); ++i)
    PRUNQ_CHECK(bn.outputs[i] == kNoValue || g.consumer_map()[size_t(bn.outputs[i])].empty(),
                "synflow: BatchNormalization '", bn.name, "' has its running statistics read by other nodes");
  const TensorType& xt = g.value(bn.inputs[0]).type;
  PRUNQ_CHECK(xt.rank_known && xt.shape.size() >= 2, "synflow: input of '", bn.name, "' has unknown rank");
  const Initializer* scale = g.initializer(bn.inputs[1]);
  const Initializer* shift = g.initializer(bn.inputs[2]);
  const Initializer* mean = g.initializer(bn.inputs[3]);
  const Initializer* var = g.initializer(bn.inputs[4]);
  PRUNQ_CHECK(scale && shift && mean && var, "synflow: BatchNormalization '", bn.name,
              "' must take its parameters from initializers");
  const int64_t c = scale->data.numel();
  const float eps = bn.attrs.get_float("epsilon", 1e-5f);
  Shape per_channel{c};
  for (size_t d = 2; d < xt.shape.size(); ++d) per_channel.push_back(1);
  Tensor a(DType::f32, per_channel), b(DType::f32, per_channel);
  const Tensor sc = scale->data.contiguous(), sh = shift->data.contiguous(), mu = mean->data.contiguous(),
               vr = var->data.contiguous();
  for (int64_t i = 0; i < c; ++i) {
    const float ai = sc.f32()[i] / std::sqrt(vr.f32()[i] + eps);
    a.f32()[i] = std::fabs(ai);
    b.f32()[i] = std::fabs(sh.f32()[i] - mu.f32()[i] * ai);
  }
  const ValueId av = g.add_initializer(bn.name + ".synflow.scale", a, false);
  const ValueId bv = g.add_initializer(bn.name + ".synflow.shift", b, false);
  const ValueId mid = g.add_value(bn.name + ".synflow.scaled");
  Node& mul = g.node(id);
  mul.op = "Mul";
  mul.domain.clear();
  mul.attrs = Attributes();
  mul.inputs = {bn.inputs[0], av};
  mul.outputs = {mid};
  Node add;
  add.op = "Add";
  add.name = bn.name + ".synflow.shift";
  add.inputs = {mid, bv};
  add.outputs = {bn.outputs[0]};
  g.add_node(std::move(add));
}

// The linearised copy of a model, scored by one forward/backward pass on an all-ones input.
class SynFlowScorer {
 public:
  SynFlowScorer(const Graph& model, const std::vector<PrunableWeight>& pool) : pool_(pool) {
    PRUNQ_CHECK(model.inputs().size() == 1 && model.outputs().size() == 1, "synflow: model '", model.name,
                "' must have one input and one output");
    g_ = std::make_unique<Graph>(model.clone());
    Graph& g = *g_;
    std::vector<NodeId> bns;
    for (NodeId n = 0; n < NodeId(g.nodes().size()); ++n) {
      Node& node = g.node(n);
      if (node.op == "BatchNormalization") bns.push_back(n);
      if (node.op == "Dropout") {  // training-mode forward must not drop anything here
        node.op = "Identity";
        node.inputs.resize(1);
        node.outputs.resize(1);
        node.attrs = Attributes();
      }
    }
    for (NodeId n : bns) linearise_batchnorm(g, n);
    // Only the pool's weights need gradients; every other parameter is a positive constant.
    for (auto& [id, init] : g.initializers()) {
      if (init.trainable) init.data = abs_of(init.data);
      init.trainable = false;
      init.mask = Tensor();
    }
    for (const PrunableWeight& w : pool_) g.initializer(w.weight)->trainable = true;
    g.prune_dead();

    const TensorType& in = model.value(model.inputs()[0]).type;
    PRUNQ_CHECK(in.rank_known && !in.shape.empty(), "synflow: input '", model.value(model.inputs()[0]).name,
                "' has unknown rank");
    Shape s = in.shape;
    s[0] = 1;
    for (size_t d = 1; d < s.size(); ++d)
      PRUNQ_CHECK(s[d] > 0, "synflow: input '", model.value(model.inputs()[0]).name, "' ", in.str(),
                  " needs known dims other than the batch");
    input_ = Tensor::full(s, 1.f);
    // R = logits [1, K] x ones [K, 1]: a one-element loss whose gradient is 1 on every logit.
    const ValueId logits = g.outputs()[0];
    const TensorType& lt = model.value(model.outputs()[0]).type;
    PRUNQ_CHECK(lt.rank_known && lt.shape.size() == 2 && lt.shape[1] > 0, "synflow: output '",
                model.value(model.outputs()[0]).name, "' must be [N, classes] with known classes, is ", lt.str());
    const ValueId ones = g.add_initializer("synflow.ones", Tensor::full({lt.shape[1], 1}, 1.f), false);
    r_ = g.add_value("synflow.R");
    Node sum;
    sum.op = "MatMul";
    sum.name = "synflow.R";
    sum.inputs = {logits, ones};
    sum.outputs = {r_};
    g.add_node(std::move(sum));
    g.outputs() = {r_};
    exec_ = std::make_unique<Executor>(g);
  }

  ScoreMap score(const Graph& model) {
    // |w| of the model as it stands (masked weights are zero), written into the tensors the
    // executor reads.
    for (const PrunableWeight& w : pool_) {
      const Tensor src = model.initializer(w.weight)->data.contiguous();
      Tensor& dst = g_->initializer(w.weight)->data;
      const float* s = src.f32();
      float* d = dst.f32();
      for (int64_t i = 0, n = src.numel(); i < n; ++i) d[i] = std::fabs(s[i]);
    }
    const std::vector<Tensor> out = exec_->run({input_}, true);
    PRUNQ_CHECK(std::isfinite(out[0].f32()[0]), "synflow: the synaptic flow overflowed (R = ", out[0].f32()[0],
                "); the model is too deep for fp32 scoring");
    std::map<ValueId, Tensor> grads = exec_->backward(r_);
    ScoreMap scores;
    for (const PrunableWeight& w : pool_) {
      auto it = grads.find(w.weight);
      PRUNQ_CHECK(it != grads.end(), "synflow: no flow reaches layer '", w.layer, "'");
      Tensor s = it->second.contiguous().clone();
      const float* p = g_->initializer(w.weight)->data.f32();
      float* sp = s.f32();
      for (int64_t i = 0, n = s.numel(); i < n; ++i) sp[i] = std::fabs(sp[i] * p[i]);
      scores[w.weight] = s;
    }
    return scores;
  }

 private:
  std::vector<PrunableWeight> pool_;
  std::unique_ptr<Graph> g_;
  std::unique_ptr<Executor> exec_;
  Tensor input_;
  ValueId r_ = kNoValue;
};

}  // namespace

ScoreMap synflow_scores(const Graph& graph, const std::vector<PrunableWeight>& pool) {
  SynFlowScorer scorer(graph, pool);
  return scorer.score(graph);
}

PruneResult prune_synflow(Graph& graph, const std::vector<PrunableWeight>& pool, const SparsityTarget& target,
                          const SynFlowOptions& o) {
  PRUNQ_CHECK(o.iterations >= 1, "synflow: iterations must be >= 1, got ", o.iterations);
  validate_target(target, pool);
  SynFlowScorer scorer(graph, pool);
  const double density = 1.0 - target.sparsity;
  PruneResult r = current_sparsity(graph, pool);
  for (int64_t k = 1; k <= o.iterations; ++k) {
    const double s = k == o.iterations ? target.sparsity : 1.0 - std::pow(density, double(k) / double(o.iterations));
    r = prune_by_scores(graph, pool, scorer.score(graph), ramped_target(target, s));
  }
  return r;
}

}  // namespace prunq
