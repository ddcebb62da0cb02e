#include "prune/structured/importance.h"

#include <cmath>
#include <map>

#include "io/data/dataset.h"
#include "runtime/executor.h"
#include "train/training_graph.h"

namespace prunq::structured {
namespace {

// Per index along `axis` of w: the sum of f(w[i], g[i]) (g may be null).
template <typename F>
std::vector<double> reduce_along_axis(const Tensor& w, const Tensor* grad, int axis, F f) {
  const Tensor wc = w.contiguous();
  const Tensor gc = grad ? grad->contiguous() : Tensor();
  PRUNQ_CHECK(wc.dtype() == DType::f32, "structured pruning: importance needs f32 parameters, got ", wc.desc());
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= wc.dim(i);
  for (int i = axis + 1; i < wc.rank(); ++i) inner *= wc.dim(i);
  const int64_t n = wc.dim(axis);
  std::vector<double> out(static_cast<size_t>(n), 0.0);
  const float* pw = wc.f32();
  const float* pg = grad ? gc.f32() : nullptr;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < n; ++k) {
      double s = 0;
      const int64_t base = (o * n + k) * inner;
      for (int64_t i = 0; i < inner; ++i) s += f(pw[base + i], pg ? pg[base + i] : 0.f);
      out[k] += s;
    }
  return out;
}

bool in_group(const ChannelAnalysis& a, const ParamCut& c, const DependencyGroup& grp) {
  const int gi = a.group_of[a.cluster_of[c.element.at(0)]];
  return gi >= 0 && &a.groups[gi] == &grp;
}

}  // namespace

GroupScores weight_scores(const Graph& g, const ChannelAnalysis& a, const DependencyGroup& grp,
                          ImportanceCriterion criterion) {
  GroupScores out;
  out.criterion = importance_criterion_name(criterion);
  bool use_bn = criterion == ImportanceCriterion::kBnGamma;
  if (use_bn) {
    bool any = false;
    for (const ParamCut& c : a.cuts) any = any || (c.role == CutRole::kBnScale && in_group(a, c, grp));
    if (!any) {
      use_bn = false;
      criterion = ImportanceCriterion::kL1;
      out.criterion = "l1 (no BatchNorm)";
    }
  }
  std::map<int64_t, size_t> slot;  // cluster -> index in grp.clusters
  for (size_t i = 0; i < grp.clusters.size(); ++i) slot[grp.clusters[i]] = i;
  std::vector<double> total(grp.clusters.size(), 0.0);
  std::vector<int> layers(grp.clusters.size(), 0);
  for (const ParamCut& c : a.cuts) {
    const bool scores = use_bn ? c.role == CutRole::kBnScale
                               : c.role == CutRole::kProducerWeight || c.role == CutRole::kDepthwiseWeight;
    if (!scores || !in_group(a, c, grp)) continue;
    const Tensor& w = g.initializer(g.node(c.node).inputs[c.input])->data;
    std::vector<double> per_index =
        criterion == ImportanceCriterion::kL2
            ? reduce_along_axis(w, nullptr, c.axis, [](float x, float) { return double(x) * x; })
            : reduce_along_axis(w, nullptr, c.axis, [](float x, float) { return std::fabs(double(x)); });
    std::map<size_t, double> layer;  // this layer's score of each cluster it touches
    for (size_t i = 0; i < per_index.size(); ++i) layer[slot.at(a.cluster_of[c.element[i]])] += per_index[i];
    double mean = 0;
    for (auto& [s, v] : layer) {
      if (criterion == ImportanceCriterion::kL2) v = std::sqrt(v);
      mean += v;
    }
    mean /= static_cast<double>(layer.size());
    for (const auto& [s, v] : layer) {
      total[s] += mean > 0 ? v / mean : 0.0;
      ++layers[s];
    }
  }
  out.score.resize(grp.clusters.size());
  for (size_t i = 0; i < total.size(); ++i) out.score[i] = layers[i] ? total[i] / layers[i] : 0.0;
  return out;
}

std::vector<double> taylor_scores(const Graph& g, const ChannelAnalysis& a, const Dataset& data, int64_t batches,
                                  int64_t batch_size) {
  PRUNQ_CHECK(data.size() > 0, "structured pruning: taylor importance needs samples, the dataset is empty");
  PRUNQ_CHECK(batches > 0 && batch_size > 0, "structured pruning: taylor needs batches > 0 and batch size > 0, got ",
              batches, " and ", batch_size);
  Graph work = g.clone();  // training-mode BatchNorm updates running statistics: keep g's intact
  TrainingGraph t = make_training_graph(work);
  Executor ex(t.graph);
  std::vector<double> score(a.cluster_elements.size(), 0.0);
  std::vector<double> batch_sum(a.cluster_elements.size(), 0.0);
  BatchIterator it(data, batch_size, /*shuffle=*/true, /*seed=*/0, /*epoch=*/0);
  Batch b;
  int64_t done = 0;
  for (; done < batches && it.next(b); ++done) {
    ex.run({b.images, b.labels}, /*training=*/true);
    std::map<ValueId, Tensor> grads = ex.backward(t.loss);
    std::fill(batch_sum.begin(), batch_sum.end(), 0.0);
    for (const ParamCut& c : a.cuts) {
      if (c.role == CutRole::kBnStatistic || c.role == CutRole::kConsumerWeight || c.role == CutRole::kConstant)
        continue;
      const ValueId v = work.node(c.node).inputs[c.input];
      auto gi = grads.find(v);
      if (gi == grads.end()) continue;  // frozen parameter: no first-order change
      std::vector<double> s = reduce_along_axis(work.initializer(v)->data, &gi->second, c.axis,
                                                [](float w, float gr) { return double(w) * gr; });
      for (size_t i = 0; i < s.size(); ++i) batch_sum[a.cluster_of[c.element[i]]] += s[i];
    }
    for (size_t k = 0; k < score.size(); ++k) score[k] += batch_sum[k] * batch_sum[k];
  }
  for (double& s : score) s /= static_cast<double>(done);
  return score;
}

}  // namespace prunq::structured
