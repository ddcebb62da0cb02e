// Internal: the depthwise loop for every shape the fast kernels leave out (dilation, kernel sizes
// other than 3 and 5, non-square kernels, unequal strides, strides above 2).
#pragma once
#include "kernels/conv_f32/conv_params.h"

namespace prunq::dwconv_detail {

// One (image, channel) plane: in [in_h, in_w], w [kernel_h, kernel_w], out [out_h, out_w].
void generic_plane(const Conv2dParams& p, const float* in, const float* w, float bias, float lo, float hi, float* out);

}  // namespace prunq::dwconv_detail
