// Sliding-window geometry shared by Conv, MaxPool and AveragePool, so the ONNX rules for
// kernel_shape / strides / dilations / pads / auto_pad / ceil_mode live in one place.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace prunq::nn {

// Per spatial dimension. in/out are -1 when the input size is not known (shape inference).
struct WindowGeometry {
  std::vector<int64_t> in, kernel, stride, dilation, pad_begin, pad_end, out;
};

// Reads strides, dilations, pads and auto_pad from the node and computes output sizes.
// kernel: the window size per spatial dim (Conv: from the weights; pools: kernel_shape).
// ceil_mode rounds the output size up, but a window must still start inside the input or its
// leading pad (PyTorch's rule), so no window lies entirely in padding.
WindowGeometry window_geometry(const Node& node, const std::vector<int64_t>& in_spatial,
                               const std::vector<int64_t>& kernel, bool ceil_mode);

// The 2-D view the kernels work on; a 1-D window becomes one of height 1.
struct Window2d {
  int64_t ih, iw;  // input size
  int64_t kh, kw;  // kernel size
  int64_t sh, sw;  // strides
  int64_t dh, dw;  // dilations
  int64_t pt, pl;  // leading pads (top, left); trailing pads only matter for the output size
  int64_t pb, pr;  // trailing pads (bottom, right): AveragePool's count_include_pad needs them
  int64_t oh, ow;  // output size
};

// Throws (naming the node) for more than 2 spatial dims or unknown sizes.
Window2d to_2d(const Node& node, const WindowGeometry& g);

}  // namespace prunq::nn
