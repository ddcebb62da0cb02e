#include "prune/criteria.h"

#include <cmath>
#include <random>

#include "io/data/dataset.h"
#include "runtime/executor.h"
#include "train/training_graph.h"

namespace prunq {

ScoreMap magnitude_scores(const Graph& graph, const std::vector<PrunableWeight>& pool) {
  ScoreMap scores;
  for (const PrunableWeight& w : pool) {
    const Tensor data = graph.initializer(w.weight)->data.contiguous();
    Tensor s(DType::f32, data.shape());
    const float* p = data.f32();
    float* o = s.f32();
    for (int64_t i = 0, n = data.numel(); i < n; ++i) o[i] = std::fabs(p[i]);
    scores[w.weight] = s;
  }
  return scores;
}

ScoreMap random_scores(const std::vector<PrunableWeight>& pool, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  ScoreMap scores;
  for (const PrunableWeight& w : pool) {
    Tensor s(DType::f32, {w.numel()});
    float* o = s.f32();
    for (int64_t i = 0; i < w.numel(); ++i) o[i] = u(rng);
    scores[w.weight] = s;
  }
  return scores;
}

ScoreMap snip_scores(const Graph& graph, const std::vector<PrunableWeight>& pool, const Dataset& data,
                     const GradientScoreOptions& o) {
  PRUNQ_CHECK(o.batches >= 1 && o.batch_size >= 1, "snip: batches and batch size must be >= 1, got ", o.batches,
              " and ", o.batch_size);
  data.validate("snip data");
  PRUNQ_CHECK(data.size() > 0, "snip: the dataset is empty; connection sensitivity needs labelled samples");
  // A deep copy: training-mode BatchNorm would otherwise move the model's running statistics.
  const Graph copy = graph.clone();
  TrainingGraph train = make_training_graph(copy);
  Executor exec(train.graph, o.seed);
  std::map<ValueId, Tensor> sum;
  BatchIterator it(data, o.batch_size, true, o.seed, 0);
  Batch b;
  int64_t done = 0;
  while (done < o.batches && it.next(b)) {
    exec.run({b.images, b.labels}, true);
    std::map<ValueId, Tensor> grads = exec.backward(train.loss);
    for (const PrunableWeight& w : pool) {
      auto g = grads.find(w.weight);
      PRUNQ_CHECK(g != grads.end(), "snip: no gradient reaches layer '", w.layer, "' from the loss");
      const Tensor gc = g->second.contiguous();
      Tensor& acc = sum[w.weight];
      if (!acc.defined()) acc = Tensor::zeros(DType::f32, gc.shape());
      float* a = acc.f32();
      const float* p = gc.f32();
      for (int64_t i = 0, n = gc.numel(); i < n; ++i) a[i] += p[i];
    }
    ++done;
  }
  ScoreMap scores;
  for (const PrunableWeight& w : pool) {
    const Tensor wt = graph.initializer(w.weight)->data.contiguous();
    Tensor s = sum[w.weight];
    float* sp = s.f32();
    const float* wp = wt.f32();
    for (int64_t i = 0, n = s.numel(); i < n; ++i) sp[i] = std::fabs(sp[i] * wp[i]) / float(done);
    scores[w.weight] = s;
  }
  return scores;
}

}  // namespace prunq
