#include "ops/nn/conv_shape.h"

#include "core/error.h"
#include "ops/nn/nn_util.h"

namespace prunq::nn {

ConvShape conv_shape(const Node& node, const Shape& x, const Shape& w, const Shape* bias) {
  PRUNQ_CHECK(x.size() >= 3, where(node), ": input X must be [N, C, spatial...], got ", shape_str(x));
  PRUNQ_CHECK(w.size() == x.size(), where(node), ": weight W ", shape_str(w), " must have the rank of input X ",
              shape_str(x));
  ConvShape s{};
  s.group = node.attrs.get_int("group", 1);
  PRUNQ_CHECK(s.group >= 1, where(node), ": group must be >= 1, got ", s.group);
  s.batch = x[0];
  s.in_channels = x[1];
  s.out_channels = w[0];
  s.group_in = w[1];
  PRUNQ_CHECK(s.out_channels < 0 || s.out_channels % s.group == 0, where(node), ": weight W ", shape_str(w), " has ",
              s.out_channels, " output channels, not divisible by group ", s.group);
  s.group_out = s.out_channels < 0 ? -1 : s.out_channels / s.group;
  if (s.in_channels >= 0 && s.group_in >= 0)
    PRUNQ_CHECK(s.in_channels == s.group_in * s.group, where(node), ": input X ", shape_str(x), " has ",
                s.in_channels, " channels but weight W ", shape_str(w), " with group ", s.group, " expects ",
                s.group_in * s.group);
  if (bias)
    PRUNQ_CHECK(bias->size() == 1 && ((*bias)[0] < 0 || s.out_channels < 0 || (*bias)[0] == s.out_channels),
                where(node), ": bias B ", shape_str(*bias), " must be [", s.out_channels, "] to match weight W ",
                shape_str(w));

  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  std::vector<int64_t> spatial(x.begin() + 2, x.end());
  if (node.attrs.has("kernel_shape")) {
    std::vector<int64_t> ks = node.attrs.get_ints("kernel_shape");
    PRUNQ_CHECK(ks.size() == kernel.size(), where(node), ": kernel_shape has ", ks.size(), " dims, weight W is ",
                shape_str(w));
    for (size_t d = 0; d < ks.size(); ++d) {
      PRUNQ_CHECK(kernel[d] < 0 || kernel[d] == ks[d], where(node), ": kernel_shape ", shape_str(ks),
                  " does not match weight W ", shape_str(w));
      kernel[d] = ks[d];
    }
  }
  bool kernel_known = true;
  for (int64_t k : kernel) kernel_known = kernel_known && k >= 0;
  if (kernel_known) {
    s.geo = window_geometry(node, spatial, kernel, /*ceil_mode=*/false);
  } else {
    s.geo.in = spatial;
    s.geo.out.assign(spatial.size(), -1);
  }
  s.output = {s.batch, s.out_channels};
  s.output.insert(s.output.end(), s.geo.out.begin(), s.geo.out.end());
  return s;
}

}  // namespace prunq::nn
