// Shared by the structured-pruning tests: small graphs with every coupling pattern, and
// "silencing" -- zeroing every parameter that computes chosen channels, so those channels are
// exactly zero everywhere and removing them must leave the model's outputs unchanged. That
// makes a wrong coupling (a tensor cut at the wrong index, or not cut at all) visible as a
// different output or an invalid graph.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "graph/builder.h"
#include "io/data/dataset.h"
#include "prune/structured.h"
#include "prune/structured/dependency_groups.h"
#include "runtime/executor.h"
#include "support/op_harness.h"

namespace prunq::testing {

// BatchNorm statistics and affine parameters away from the identity, so a BN cut at the wrong
// index shows.
inline void randomize_batchnorms(Graph& g, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (const Node& n : g.nodes()) {
    if (n.op != "BatchNormalization") continue;
    float* gamma = g.initializer(n.inputs[1])->data.f32();
    float* beta = g.initializer(n.inputs[2])->data.f32();
    float* mean = g.initializer(n.inputs[3])->data.f32();
    float* var = g.initializer(n.inputs[4])->data.f32();
    for (int64_t c = 0; c < g.initializer(n.inputs[1])->data.numel(); ++c) {
      gamma[c] = 0.5f + u(rng), beta[c] = u(rng) - 0.5f, mean[c] = 0.2f * (u(rng) - 0.5f), var[c] = 0.5f + u(rng);
    }
  }
}

// Multiplies what computes the given clusters by `factor`: producer rows and biases, depthwise
// rows, BN gamma and beta (what Taylor importance sums over) and, with `constants`, the
// per-channel constants of Add / Sub / Mul.
inline void scale_clusters(Graph& g, const structured::ChannelAnalysis& a, const std::set<int64_t>& clusters,
                           float factor, bool constants) {
  using structured::CutRole;
  for (const structured::ParamCut& c : a.cuts) {
    const std::string& op = g.node(c.node).op;
    const bool constant = constants && c.role == CutRole::kConstant && (op == "Add" || op == "Sub" || op == "Mul");
    if (c.role != CutRole::kProducerWeight && c.role != CutRole::kProducerBias &&
        c.role != CutRole::kDepthwiseWeight && c.role != CutRole::kBnScale && c.role != CutRole::kBnShift && !constant)
      continue;
    Tensor& t = g.initializer(g.node(c.node).inputs[c.input])->data;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < c.axis; ++i) outer *= t.dim(i);
    for (int i = c.axis + 1; i < t.rank(); ++i) inner *= t.dim(i);
    const int64_t n = t.dim(c.axis);
    for (int64_t k = 0; k < n; ++k) {
      if (!clusters.count(a.cluster_of[c.element[k]])) continue;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) t.f32()[(o * n + k) * inner + i] *= factor;
    }
  }
}

// Zeroes the given clusters: they are then 0 after every op that maps 0 to 0 (ReLU, Clip,
// pooling), through a MatMul's bias Add too.
inline void silence_clusters(Graph& g, const structured::ChannelAnalysis& a, const std::set<int64_t>& clusters) {
  scale_clusters(g, a, clusters, 0.f, /*constants=*/true);
}

// For each group of the method's kind, round(C * ratio) free clusters picked at random
// (positions in the group's numbering); silences them. Returns the choice per group name.
inline std::map<std::string, std::set<int64_t>> silence_random_channels(Graph& g, bool conv_groups, double ratio,
                                                                       uint64_t seed) {
  const structured::ChannelAnalysis a = structured::analyze_channels(g);
  const std::vector<NodeId> producer = g.producer_map();
  std::mt19937_64 rng(seed);
  std::map<std::string, std::set<int64_t>> chosen;
  std::set<int64_t> all;
  std::vector<int64_t> left(a.range.size());
  for (size_t v = 0; v < a.range.size(); ++v) left[v] = a.range[v].count;
  for (const structured::DependencyGroup& grp : a.groups) {
    if (grp.conv != conv_groups) continue;
    std::vector<int64_t> free;
    for (size_t i = 0; i < grp.clusters.size(); ++i)
      if (a.fixed_reason[grp.clusters[i]].empty()) free.push_back(static_cast<int64_t>(i));
    if (free.empty()) continue;
    const int64_t n = std::llround(static_cast<double>(grp.clusters.size()) * ratio);
    std::shuffle(free.begin(), free.end(), rng);
    std::set<int64_t>& pick = chosen[g.node(producer[grp.numbering]).name];
    for (size_t i = 0; i < free.size() && static_cast<int64_t>(pick.size()) < n; ++i) {
      // Every tensor keeps a channel (a Concat input, a Slice output may hold only a few).
      const std::vector<int64_t>& elems = a.cluster_elements[grp.clusters[free[i]]];
      std::map<ValueId, int64_t> take;
      for (int64_t e : elems) ++take[a.value_of[e]];
      bool ok = true;
      for (const auto& [v, k] : take) ok = ok && left[v] > k;
      if (!ok) continue;
      for (const auto& [v, k] : take) left[v] -= k;
      pick.insert(free[i]);
      all.insert(grp.clusters[free[i]]);
    }
  }
  silence_clusters(g, a, all);
  return chosen;
}

// n labelled 1x28x28 samples: class y is a bright column at x = 2y + 4 over faint noise, so a
// few steps of training make progress and gradients are informative.
inline Dataset column_dataset(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  Dataset d;
  d.images = Tensor(DType::f32, {n, 1, 28, 28});
  d.labels = Tensor(DType::i64, {n});
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y = static_cast<int64_t>(rng() % 10);
    d.labels.data<int64_t>()[i] = y;
    for (int64_t k = 0; k < 784; ++k) d.images.f32()[i * 784 + k] = 0.2f * u(rng) + (k % 28 == 2 * y + 4 ? 0.8f : 0.f);
  }
  return d;
}

inline Tensor run_model(const Graph& g, const Tensor& x) { return Executor(g).run({x})[0]; }

inline double max_abs(const Tensor& t) {
  double m = 0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, double(std::fabs(t.f32()[i])));
  return m;
}

// Silences channels at random, prunes them away with `criterion` and checks that exactly the
// silenced ones went and the outputs did not change. Returns the report.
inline StructuredPruneReport expect_exact_pruning(Graph& g, StructuredMethod method, double ratio,
                                                  const Tensor& x, uint64_t seed = 1,
                                                  ImportanceCriterion criterion = ImportanceCriterion::kL1,
                                                  const Dataset* data = nullptr) {
  randomize_batchnorms(g, seed);
  std::map<std::string, std::set<int64_t>> silenced =
      silence_random_channels(g, method == StructuredMethod::kChannel, ratio, seed);
  const Tensor before = run_model(g, x);
  const int64_t params = g.num_parameters();
  StructuredPruneOptions o;
  o.method = method;
  o.ratio = ratio;
  o.criterion = criterion;
  o.data = data;
  StructuredPruneReport r = prune_structured(g, o);
  EXPECT_FALSE(silenced.empty()) << "nothing to prune in the test graph";
  for (const PrunedGroup& pg : r.groups) {
    auto it = silenced.find(pg.name);
    if (it == silenced.end()) continue;
    EXPECT_TRUE(pg.pruned) << pg.name << ": " << pg.skipped_because;
    EXPECT_EQ(std::set<int64_t>(pg.removed.begin(), pg.removed.end()), it->second) << "group " << pg.name;
    EXPECT_EQ(pg.channels_after, pg.channels_before - static_cast<int64_t>(it->second.size())) << pg.name;
    silenced.erase(it);
  }
  EXPECT_TRUE(silenced.empty()) << "silenced group missing from the report: " << silenced.begin()->first;
  EXPECT_LT(g.num_parameters(), params);
  const Tensor after = run_model(g, x);
  EXPECT_EQ(after.shape(), before.shape());
  EXPECT_LE(max_abs_diff(after, before), 1e-4 * std::max(1.0, max_abs(before)));
  return r;
}

}  // namespace prunq::testing
