// Transpose: every permutation of a 4-D tensor against a naive index mapping (covers the row-copy,
// tiled 2-D and gather paths), size-1 dims, tile edges, byte-sized and 8-byte dtypes, gradients,
// inference with an unknown batch, and bad perms.
#include <algorithm>
#include <numeric>

#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

Attributes perm_attr(std::vector<int64_t> p) {
  Attributes a;
  a.set("perm", std::move(p));
  return a;
}

// out[i0..in] = x[j] where j_perm[k] = i_k.
void expect_transposed(const Tensor& x, const Tensor& y, const std::vector<int64_t>& perm) {
  const Shape& s = x.shape();
  Shape st = contiguous_strides(s);
  ASSERT_EQ(y.rank(), x.rank());
  for (size_t k = 0; k < perm.size(); ++k) ASSERT_EQ(y.shape()[k], s[size_t(perm[k])]);
  std::vector<int64_t> idx(perm.size(), 0);
  for (int64_t o = 0; o < y.numel(); ++o) {
    int64_t src = 0;
    for (size_t k = 0; k < perm.size(); ++k) src += idx[k] * st[size_t(perm[k])];
    ASSERT_EQ(y.f32()[o], x.f32()[src]) << "output element " << o;
    for (size_t d = perm.size(); d-- > 0;) {
      if (++idx[d] < y.shape()[d]) break;
      idx[d] = 0;
    }
  }
}

TEST(ShapeTranspose, AllPermutationsOf4D) {
  for (Shape s : {Shape{2, 3, 4, 5}, Shape{3, 1, 4, 1}}) {
    Tensor x = random_tensor(s, 1);
    std::vector<int64_t> perm = {0, 1, 2, 3};
    do {
      SCOPED_TRACE(shape_str(s) + " perm " + shape_str(perm));
      expect_transposed(x, run_forward({"Transpose", perm_attr(perm), {x}})[0], perm);
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST(ShapeTranspose, DefaultReversesAndTilesHandleRaggedEdges) {
  Tensor x = random_tensor({2, 3, 4}, 2);
  expect_transposed(x, run_forward({"Transpose", {}, {x}})[0], {2, 1, 0});
  // NCHW -> NHWC with a channel count and plane size that are not tile multiples.
  Tensor big = random_tensor({2, 40, 9, 33}, 3);
  expect_transposed(big, run_forward({"Transpose", perm_attr({0, 2, 3, 1}), {big}})[0], {0, 2, 3, 1});
  expect_transposed(big, run_forward({"Transpose", perm_attr({1, 0, 3, 2}), {big}})[0], {1, 0, 3, 2});
}

TEST(ShapeTranspose, OtherDtypes) {
  Tensor i = Tensor::from_vector_i64({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor y = run_forward({"Transpose", {}, {i}})[0];
  ASSERT_EQ(y.shape(), (Shape{3, 2}));
  std::vector<int64_t> want = {1, 4, 2, 5, 3, 6};
  for (size_t k = 0; k < want.size(); ++k) EXPECT_EQ(y.data<int64_t>()[k], want[k]);
  Tensor b(DType::u8, {2, 2});
  for (int k = 0; k < 4; ++k) b.data<uint8_t>()[k] = uint8_t(10 + k);
  Tensor yb = run_forward({"Transpose", {}, {b}})[0];
  EXPECT_EQ(yb.data<uint8_t>()[1], 12);
  EXPECT_EQ(yb.data<uint8_t>()[2], 11);
}

TEST(ShapeTranspose, Gradient) {
  check_gradients({"Transpose", perm_attr({2, 0, 1}), {random_tensor({2, 3, 4}, 4)}});
  check_gradients({"Transpose", perm_attr({0, 2, 3, 1}), {random_tensor({1, 2, 2, 3}, 5)}});
}

TEST(ShapeTranspose, InferAndBadPerms) {
  EXPECT_EQ(infer_static("Transpose", perm_attr({0, 2, 3, 1}), {known(DType::f32, {-1, 3, 8, 8})})[0].str(),
            "f32[-1, 8, 8, 3]");
  expect_error([] { infer_static("Transpose", perm_attr({0, 1}), {known(DType::f32, {2, 3, 4})}); },
               {"test_Transpose", "perm", "rank 3"});
  expect_error([] { infer_static("Transpose", perm_attr({0, 0, 1}), {known(DType::f32, {2, 3, 4})}); },
               {"test_Transpose", "repeats"});
  expect_error([] { infer_static("Transpose", perm_attr({0, 3, 1}), {known(DType::f32, {2, 3, 4})}); },
               {"test_Transpose", "perm entry 3"});
}

}  // namespace
}  // namespace prunq::testing
