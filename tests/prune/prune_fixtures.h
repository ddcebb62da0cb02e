// Small models and data for the pruning tests: everything here runs in milliseconds.
#pragma once
#include <random>

#include "graph/builder.h"
#include "io/data/dataset.h"
#include "models/zoo.h"
#include "train/trainer.h"

namespace prunq::testing {

// A learnable 10-class problem on [N, 1, 28, 28] (or [N, features] when flat): each class a
// fixed random prototype, each sample its prototype plus noise.
inline Dataset prototype_data(int64_t n, uint64_t seed, bool flat = false, int64_t features = 784) {
  std::mt19937_64 proto_rng(99);
  std::normal_distribution<float> unit(0.f, 1.f);
  std::vector<float> protos(size_t(10 * features));
  for (float& p : protos) p = unit(proto_rng);
  std::mt19937_64 rng(seed);
  Dataset d;
  d.images = flat ? Tensor(DType::f32, {n, features}) : Tensor(DType::f32, {n, 1, 28, 28});
  d.labels = Tensor(DType::i64, {n});
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y = int64_t(rng() % 10);
    d.labels.data<int64_t>()[i] = y;
    for (int64_t k = 0; k < features; ++k)
      d.images.f32()[i * features + k] = 0.5f * protos[size_t(y * features + k)] + unit(rng);
  }
  return d;
}

inline TrainConfig quiet(int64_t epochs, int64_t batch = 32) {
  TrainConfig c;
  c.epochs = epochs;
  c.batch_size = batch;
  c.progress = false;
  return c;
}

// Two linear layers (no biases, no activation) on a [N, 4] input: a Gemm with W1 stored
// [out 3, in 4] (transB) and a MatMul with W2 stored [in 3, out 2], so both layouts appear.
inline Graph two_layer_linear(uint64_t seed = 0) {
  GraphBuilder b("linear2", seed);
  ValueId x = b.input("input", DType::f32, {-1, 4});
  std::mt19937_64 rng(seed + 1);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> w1(12), w2(6);
  for (float& v : w1) v = u(rng);
  for (float& v : w2) v = u(rng);
  Attributes t;
  t.set("transB", int64_t{1});
  ValueId h = b.op1("Gemm", {x, b.param("fc1.weight", Tensor::from_vector({3, 4}, w1))}, t, "fc1");
  ValueId y = b.op1("MatMul", {h, b.param("fc2.weight", Tensor::from_vector({3, 2}, w2))}, {}, "fc2");
  b.output(y, "logits");
  return b.finish();
}

}  // namespace prunq::testing
