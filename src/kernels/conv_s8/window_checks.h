// The window-geometry checks shared by the int8 convolution kernels (conv_s8, dwconv_s8): their
// shape structs differ in the channel fields but name strides, dilations, padding and the
// output size alike, so one template checks both.
#pragma once

#include "core/error.h"

namespace prunq {

// Throws prunq::Error, prefixed with `what`, when a stride or dilation is not positive, any
// padding is negative, or the dilated kernel does not fit the padded input. The caller checks
// the extents (and kernel size) first, since out_h()/out_w() divide by the strides.
template <typename ConvShape>
void check_conv_window(const ConvShape& s, const char* what) {
  PRUNQ_CHECK(s.stride_h > 0 && s.stride_w > 0 && s.dilation_h > 0 && s.dilation_w > 0, what,
              ": strides and dilations must be positive");
  PRUNQ_CHECK(s.pad_top >= 0 && s.pad_left >= 0 && s.pad_bottom >= 0 && s.pad_right >= 0, what,
              ": negative padding");
  PRUNQ_CHECK(s.out_h() > 0 && s.out_w() > 0, what, ": kernel ", s.kernel_h, "x", s.kernel_w,
              " does not fit the padded ", s.in_h, "x", s.in_w, " input");
}

}  // namespace prunq
