#include "ops/nn/window_geometry.h"

#include <algorithm>

#include "core/error.h"
#include "ops/nn/nn_util.h"

namespace prunq::nn {
namespace {

std::vector<int64_t> per_dim(const Node& node, const char* key, size_t rank, int64_t def) {
  std::vector<int64_t> v = node.attrs.get_ints(key, std::vector<int64_t>(rank, def));
  PRUNQ_CHECK(v.size() == rank, where(node), ": attribute '", key, "' has ", v.size(), " values for ", rank,
              " spatial dims");
  return v;
}

constexpr int64_t kMaxWindowAttr = int64_t(1) << 24;

int64_t div_floor(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t div_ceil(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

}  // namespace

WindowGeometry window_geometry(const Node& node, const std::vector<int64_t>& in_spatial,
                               const std::vector<int64_t>& kernel, bool ceil_mode) {
  const size_t rank = in_spatial.size();
  PRUNQ_CHECK(rank >= 1, where(node), ": input needs at least one spatial dimension");
  PRUNQ_CHECK(kernel.size() == rank, where(node), ": kernel has ", kernel.size(), " dims for ", rank,
              " spatial dims");
  WindowGeometry g;
  g.in = in_spatial;
  g.kernel = kernel;
  g.stride = per_dim(node, "strides", rank, 1);
  g.dilation = per_dim(node, "dilations", rank, 1);
  std::vector<int64_t> pads = node.attrs.get_ints("pads", std::vector<int64_t>(2 * rank, 0));
  PRUNQ_CHECK(pads.size() == 2 * rank, where(node), ": attribute 'pads' has ", pads.size(), " values, expected ",
              2 * rank, " (begin and end per spatial dim)");
  const std::string auto_pad = node.attrs.get_string("auto_pad", "NOTSET");
  PRUNQ_CHECK(auto_pad == "NOTSET" || auto_pad == "VALID" || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER",
              where(node), ": unknown auto_pad '", auto_pad, "'");

  g.pad_begin.resize(rank);
  g.pad_end.resize(rank);
  g.out.resize(rank);
  for (size_t d = 0; d < rank; ++d) {
    PRUNQ_CHECK(g.kernel[d] > 0, where(node), ": kernel size ", g.kernel[d], " in spatial dim ", d);
    PRUNQ_CHECK(g.stride[d] > 0, where(node), ": stride ", g.stride[d], " in spatial dim ", d);
    PRUNQ_CHECK(g.dilation[d] > 0, where(node), ": dilation ", g.dilation[d], " in spatial dim ", d);
    // Bounds keep the window arithmetic below far from int64 overflow on hostile model files.
    PRUNQ_CHECK(g.kernel[d] <= kMaxWindowAttr && g.stride[d] <= kMaxWindowAttr && g.dilation[d] <= kMaxWindowAttr &&
                    pads[d] <= kMaxWindowAttr && pads[d + rank] <= kMaxWindowAttr,
                where(node), ": kernel/stride/dilation/pads beyond ", kMaxWindowAttr, " in spatial dim ", d);
    const int64_t span = (g.kernel[d] - 1) * g.dilation[d] + 1;  // extent of a dilated window
    const int64_t in = g.in[d];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      // Output covers ceil(in / stride) windows; the extra pad goes last (UPPER) or first (LOWER).
      if (in < 0) {
        g.out[d] = -1;
        continue;
      }
      g.out[d] = div_ceil(in, g.stride[d]);
      int64_t total = std::max<int64_t>(0, (g.out[d] - 1) * g.stride[d] + span - in);
      int64_t small = total / 2, large = total - small;
      g.pad_begin[d] = auto_pad == "SAME_UPPER" ? small : large;
      g.pad_end[d] = auto_pad == "SAME_UPPER" ? large : small;
      continue;
    }
    if (auto_pad == "NOTSET") {
      g.pad_begin[d] = pads[d];
      g.pad_end[d] = pads[d + rank];
      PRUNQ_CHECK(g.pad_begin[d] >= 0 && g.pad_end[d] >= 0, where(node), ": negative pads in spatial dim ", d);
    }
    if (in < 0) {
      g.out[d] = -1;
      continue;
    }
    const int64_t room = in + g.pad_begin[d] + g.pad_end[d] - span;
    PRUNQ_CHECK(room >= 0, where(node), ": window of extent ", span, " does not fit spatial dim ", d, " of size ", in,
                " with pads ", g.pad_begin[d], "+", g.pad_end[d]);
    int64_t out = (ceil_mode ? div_ceil(room, g.stride[d]) : div_floor(room, g.stride[d])) + 1;
    if (ceil_mode && (out - 1) * g.stride[d] >= in + g.pad_begin[d]) --out;
    g.out[d] = out;
  }
  return g;
}

Window2d to_2d(const Node& node, const WindowGeometry& g) {
  PRUNQ_CHECK(g.in.size() == 1 || g.in.size() == 2, where(node), ": only 1-D and 2-D windows are supported, got ",
              g.in.size(), " spatial dims");
  for (size_t d = 0; d < g.in.size(); ++d)
    PRUNQ_CHECK(g.in[d] >= 0 && g.out[d] > 0, where(node), ": spatial dim ", d, " has input size ", g.in[d],
                " and output size ", g.out[d]);
  Window2d w{};
  if (g.in.size() == 1) {
    w = Window2d{1, g.in[0], 1, g.kernel[0], 1, g.stride[0], 1, g.dilation[0], 0, g.pad_begin[0],
                 0, g.pad_end[0], 1, g.out[0]};
  } else {
    w = Window2d{g.in[0], g.in[1], g.kernel[0], g.kernel[1], g.stride[0], g.stride[1], g.dilation[0],
                 g.dilation[1], g.pad_begin[0], g.pad_begin[1], g.pad_end[0], g.pad_end[1], g.out[0], g.out[1]};
  }
  return w;
}

}  // namespace prunq::nn
