#include "ops/nn/pool_shape.h"

#include "core/error.h"
#include "ops/nn/nn_util.h"

namespace prunq::nn {

PoolShape pool_shape(const Node& node, const Shape& x) {
  PRUNQ_CHECK(x.size() >= 3, where(node), ": input X must be [N, C, spatial...], got ", shape_str(x));
  PRUNQ_CHECK(node.attrs.has("kernel_shape"), where(node), ": attribute 'kernel_shape' is required");
  const std::vector<int64_t> kernel = node.attrs.get_ints("kernel_shape");
  PRUNQ_CHECK(kernel.size() == x.size() - 2, where(node), ": kernel_shape ", shape_str(kernel), " does not match the ",
              x.size() - 2, " spatial dims of X ", shape_str(x));
  const bool ceil_mode = node.attrs.get_int("ceil_mode", 0) != 0;
  PoolShape s;
  s.geo = window_geometry(node, Shape(x.begin() + 2, x.end()), kernel, ceil_mode);
  s.output = {x[0], x[1]};
  s.output.insert(s.output.end(), s.geo.out.begin(), s.geo.out.end());
  return s;
}

PoolRun plan_pool(const Node& node, const Shape& x) {
  PoolShape s = pool_shape(node, x);
  return PoolRun{x[0] * x[1], to_2d(node, s.geo), s.output};
}

}  // namespace prunq::nn
