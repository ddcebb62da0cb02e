// The Reduce family: every op against a double-precision reference over every axis subset of a
// rank-3 tensor (keepdims on and off), hand-computed values, integer Sum/Prod/Max/Min, the
// ReduceSum axes input and noop_with_empty_axes, shape inference with unknown dims, gradient
// checks (Prod with zeros, Max/Min with ties), and the errors a bad node gets.
#include <cmath>
#include <functional>
#include <limits>

#include "ops/shape_test_util.h"

namespace prunq::testing {
namespace {

const char* const kFloatReduces[] = {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                                     "ReduceL1",  "ReduceL2",   "ReduceSumSquare", "ReduceLogSum",
                                     "ReduceLogSumExp"};

// The op's value over one group of elements, in double.
double reference_value(const std::string& op, const std::vector<double>& g) {
  double s = 0, p = 1, mx = -INFINITY, mn = INFINITY;
  for (double v : g) s += v, p *= v, mx = std::max(mx, v), mn = std::min(mn, v);
  if (op == "ReduceSum") return s;
  if (op == "ReduceMean") return s / double(g.size());
  if (op == "ReduceMax") return mx;
  if (op == "ReduceMin") return mn;
  if (op == "ReduceProd") return p;
  double a = 0, q = 0, e = 0;
  for (double v : g) a += std::fabs(v), q += v * v, e += std::exp(v);
  if (op == "ReduceL1") return a;
  if (op == "ReduceL2") return std::sqrt(q);
  if (op == "ReduceSumSquare") return q;
  if (op == "ReduceLogSum") return std::log(s);
  return std::log(e);  // ReduceLogSumExp
}

// Reference over a [2, 3, 4] tensor for the axes in `mask` (bit d = dim d reduced): the output
// in row-major order of the kept dims.
std::vector<double> reference_reduce(const std::string& op, const Tensor& x, int mask) {
  const Shape& s = x.shape();
  std::vector<std::vector<double>> groups;
  std::vector<int64_t> kept;
  for (int d = 0; d < 3; ++d)
    if (!(mask >> d & 1)) kept.push_back(s[size_t(d)]);
  int64_t out_n = 1;
  for (int64_t k : kept) out_n *= k;
  groups.resize(size_t(out_n));
  for (int64_t i = 0; i < s[0]; ++i)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t k = 0; k < s[2]; ++k) {
        int64_t idx[3] = {i, j, k}, o = 0;
        for (int d = 0; d < 3; ++d)
          if (!(mask >> d & 1)) o = o * s[size_t(d)] + idx[d];
        groups[size_t(o)].push_back(x.f32()[(i * s[1] + j) * s[2] + k]);
      }
  std::vector<double> out;
  for (const auto& g : groups) out.push_back(reference_value(op, g));
  return out;
}

std::vector<int64_t> axes_of(int mask) {
  std::vector<int64_t> axes;
  for (int d = 0; d < 3; ++d)
    if (mask >> d & 1) axes.push_back(d);
  return axes;
}

// The node case for op reducing `axes` (attribute, or ReduceSum's second input).
OpCase reduce_case(const std::string& op, const Tensor& x, const std::vector<int64_t>& axes, bool keepdims) {
  OpCase c{op, {}, {x}};
  c.attrs.set("keepdims", int64_t{keepdims});
  if (op == "ReduceSum") {
    c.inputs.push_back(Tensor::from_vector_i64({int64_t(axes.size())}, axes));
  } else {
    c.attrs.set("axes", axes);
  }
  return c;
}

Shape expected_shape(const Shape& in, int mask, bool keepdims) {
  Shape out;
  for (size_t d = 0; d < in.size(); ++d) {
    if (!(mask >> d & 1)) out.push_back(in[d]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

TEST(Reduce, EveryOpEveryAxisSubsetMatchesReference) {
  // Positive inputs keep ReduceLogSum defined; the spread keeps Prod away from under/overflow.
  Tensor x = random_tensor({2, 3, 4}, 11, 0.5f, 1.5f);
  for (const char* op : kFloatReduces)
    for (int mask = 1; mask < 8; ++mask)
      for (bool keepdims : {true, false}) {
        SCOPED_TRACE(std::string(op) + " mask " + std::to_string(mask) + " keepdims " + std::to_string(keepdims));
        Tensor y = run_forward(reduce_case(op, x, axes_of(mask), keepdims))[0];
        EXPECT_EQ(y.shape(), expected_shape(x.shape(), mask, keepdims));
        std::vector<double> want = reference_reduce(op, x, mask);
        ASSERT_EQ(y.numel(), int64_t(want.size()));
        for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y.f32()[i], want[i], 1e-5 * (1 + std::fabs(want[i])));
      }
}

TEST(Reduce, HandComputedValues) {
  Tensor x = Tensor::from_vector({2, 2}, {1.f, -2.f, 3.f, 4.f});
  OpCase c{"ReduceMean", {}, {x}};
  c.attrs.set("axes", std::vector<int64_t>{1});
  expect_values(run_forward(c)[0], {-0.5f, 3.5f});
  c.op = "ReduceL1";
  expect_values(run_forward(c)[0], {3.f, 7.f});
  c.op = "ReduceL2";
  expect_values(run_forward(c)[0], {std::sqrt(5.f), 5.f});
  c.op = "ReduceProd";
  c.attrs.set("axes", std::vector<int64_t>{-2});  // negative axes count from the end
  expect_values(run_forward(c)[0], {3.f, -8.f});
  // No axes: every dim, keepdims -> [1, 1].
  OpCase all{"ReduceMax", {}, {x}};
  Tensor y = run_forward(all)[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1}));
  expect_values(y, {4.f});
}

TEST(Reduce, LogSumExpIsStableForLargeInputs) {
  Tensor x = Tensor::from_vector({1, 3}, {1000.f, 1000.f, 1000.f});
  OpCase c{"ReduceLogSumExp", {}, {x}};
  c.attrs.set("axes", std::vector<int64_t>{1});
  expect_values(run_forward(c)[0], {1000.f + std::log(3.f)}, 1e-3f);
}

TEST(Reduce, IntegerSumProdMaxMin) {
  Tensor x = Tensor::from_vector_i64({2, 3}, {1, -5, 3, 4, 2, -6});
  for (auto [op, want] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"ReduceSum", {-1, 0}}, {"ReduceProd", {-15, -48}}, {"ReduceMax", {3, 4}}, {"ReduceMin", {-5, -6}}}) {
    SCOPED_TRACE(op);
    Tensor y = run_forward(reduce_case(op, x, {1}, false))[0];
    ASSERT_EQ(y.dtype(), DType::i64);
    ASSERT_EQ(y.shape(), (Shape{2}));
    for (int i = 0; i < 2; ++i) EXPECT_EQ(y.data<int64_t>()[i], want[size_t(i)]);
  }
  Tensor i32 = x.to(DType::i32);
  Tensor y = run_forward(reduce_case("ReduceMax", i32, {0}, true))[0];
  ASSERT_EQ(y.dtype(), DType::i32);
  EXPECT_EQ(y.data<int32_t>()[1], 2);
  // Float-only reductions refuse integers, naming the node.
  expect_error([&] { run_forward(reduce_case("ReduceMean", x, {1}, true)); }, {"ReduceMean", "f32", "i64"});
}

TEST(Reduce, SumAxesInputAndNoop) {
  Tensor x = random_tensor({2, 3}, 5);
  // Omitted axes: every dim; with noop_with_empty_axes the input passes through.
  OpCase c{"ReduceSum", {}, {x}};
  c.attrs.set("keepdims", int64_t{0});
  Tensor all = run_forward(c)[0];
  EXPECT_EQ(all.rank(), 0);
  double s = 0;
  for (int64_t i = 0; i < x.numel(); ++i) s += x.f32()[i];
  EXPECT_NEAR(all.f32()[0], s, 1e-5);
  c.attrs.set("noop_with_empty_axes", int64_t{1});
  Tensor same = run_forward(c)[0];
  EXPECT_EQ(same.shape(), x.shape());
  EXPECT_EQ(max_abs_diff(same, x), 0.f);
  // An empty axes tensor is the same as an omitted one.
  c.inputs.push_back(Tensor::from_vector_i64({0}, {}));
  EXPECT_EQ(run_forward(c)[0].shape(), x.shape());
}

TEST(Reduce, ShapeInferenceWithUnknownDims) {
  Attributes a;
  a.set("axes", std::vector<int64_t>{2, 3});
  auto t = infer_static("ReduceMean", a, {known(DType::f32, {-1, 16, 7, 7})});
  EXPECT_EQ(t[0].shape, (Shape{-1, 16, 1, 1}));
  a.set("keepdims", int64_t{0});
  t = infer_static("ReduceMean", a, {known(DType::f32, {-1, 16, 7, 7})});
  EXPECT_EQ(t[0].shape, (Shape{-1, 16}));
  Tensor axes = Tensor::from_vector_i64({1}, {0});
  t = infer_static("ReduceSum", {}, {known(DType::f32, {-1, 5}), constant_input(axes)});
  EXPECT_EQ(t[0].shape, (Shape{1, 5}));
  // Axes fed at run time: their count fixes the rank, not which dims shrink.
  t = infer_static("ReduceSum", {}, {known(DType::f32, {2, 5}), known(DType::i64, {1})});
  EXPECT_EQ(t[0].shape, (Shape{-1, -1}));
  Attributes drop;
  drop.set("keepdims", int64_t{0});
  t = infer_static("ReduceSum", drop, {known(DType::f32, {2, 5, 3}), known(DType::i64, {2})});
  EXPECT_EQ(t[0].shape, (Shape{-1}));
  t = infer_static("ReduceSum", drop, {known(DType::f32, {2, 5}), known(DType::i64, {0})});
  EXPECT_EQ(t[0].shape, (Shape{}));
  expect_error([&] { infer_static("ReduceSum", drop, {known(DType::f32, {2, 5}), known(DType::i64, {3})}); },
               {"ReduceSum", "3 axes", "rank 2"});
}

TEST(Reduce, Gradients) {
  Tensor x = random_tensor({2, 3, 4}, 21, 0.5f, 1.5f);
  for (const char* op : kFloatReduces)
    for (int mask : {1, 2, 5, 6, 7}) {
      SCOPED_TRACE(std::string(op) + " mask " + std::to_string(mask));
      check_gradients(reduce_case(op, x, axes_of(mask), mask % 2 == 0), {0}, 1e-3);
    }
}

TEST(Reduce, ProdGradientWithZeros) {
  // One zero in a group: only the zero gets a gradient (the others' product); two zeros: none.
  Tensor x = Tensor::from_vector({2, 3}, {2.f, 0.f, 3.f, 0.f, 5.f, 0.f});
  OpCase c = reduce_case("ReduceProd", x, {1}, true);
  NodeState st;
  std::vector<Tensor> outs = run_forward(c, &st);
  Node n = make_node(c);
  Tensor gy = Tensor::from_vector({2, 1}, {1.f, 1.f});
  BackwardContext b{n, {&c.inputs[0]}, {&outs[0]}, {&gy}, {true}, {}, st};
  b.grad_inputs.resize(1);
  get_op(n).backward(b);
  expect_values(b.grad_inputs[0], {0.f, 6.f, 0.f, 0.f, 0.f, 0.f});
}

TEST(Reduce, MaxGradientSplitsAmongTies) {
  Tensor x = Tensor::from_vector({1, 4}, {3.f, 1.f, 3.f, 2.f});
  OpCase c = reduce_case("ReduceMax", x, {1}, true);
  NodeState st;
  std::vector<Tensor> outs = run_forward(c, &st);
  Node n = make_node(c);
  Tensor gy = Tensor::from_vector({1, 1}, {1.f});
  BackwardContext b{n, {&c.inputs[0]}, {&outs[0]}, {&gy}, {true}, {}, st};
  b.grad_inputs.resize(1);
  get_op(n).backward(b);
  expect_values(b.grad_inputs[0], {0.5f, 0.f, 0.5f, 0.f});
}

TEST(Reduce, BadNodesAreNamedErrors) {
  Tensor x = random_tensor({2, 3}, 1);
  OpCase c{"ReduceMean", {}, {x}};
  c.attrs.set("axes", std::vector<int64_t>{2});
  expect_error([&] { run_forward(c); }, {"ReduceMean", "axes"});
  c.attrs.set("axes", std::vector<int64_t>{1, -1});
  expect_error([&] { run_forward(c); }, {"ReduceMean", "repeated"});
  // ReduceSum takes its axes as an input in opset 13+; the others as an attribute.
  OpCase s{"ReduceSum", {}, {x}};
  s.attrs.set("axes", std::vector<int64_t>{1});
  expect_error([&] { run_forward(s); }, {"ReduceSum", "second input"});
  OpCase m{"ReduceMax", {}, {x, Tensor::from_vector_i64({1}, {1})}};
  expect_error([&] { run_forward(m); }, {"ReduceMax", "attribute"});
}

}  // namespace
}  // namespace prunq::testing
