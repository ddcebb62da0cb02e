#include "kernels/conv_f32/conv_params.h"

#include "core/error.h"

namespace prunq {

void check_conv2d_params(const Conv2dParams& p, const char* who) {
  PRUNQ_CHECK(p.batch > 0 && p.in_channels > 0 && p.in_h > 0 && p.in_w > 0, who, ": input [", p.batch, ", ",
              p.in_channels, ", ", p.in_h, ", ", p.in_w, "] must have positive sizes");
  PRUNQ_CHECK(p.out_channels > 0 && p.kernel_h > 0 && p.kernel_w > 0, who, ": weight [", p.out_channels, ", *, ",
              p.kernel_h, ", ", p.kernel_w, "] must have positive sizes");
  PRUNQ_CHECK(p.stride_h > 0 && p.stride_w > 0, who, ": strides (", p.stride_h, ", ", p.stride_w, ") must be positive");
  PRUNQ_CHECK(p.dilation_h > 0 && p.dilation_w > 0, who, ": dilations (", p.dilation_h, ", ", p.dilation_w,
              ") must be positive");
  PRUNQ_CHECK(p.pad_top >= 0 && p.pad_left >= 0 && p.pad_bottom >= 0 && p.pad_right >= 0, who,
              ": pads must be non-negative");
  PRUNQ_CHECK(p.groups > 0 && p.in_channels % p.groups == 0 && p.out_channels % p.groups == 0, who, ": groups=",
              p.groups, " must divide in_channels=", p.in_channels, " and out_channels=", p.out_channels);
  PRUNQ_CHECK(p.out_h() > 0 && p.out_w() > 0, who, ": kernel ", p.kernel_h, "x", p.kernel_w, " (dilation ",
              p.dilation_h, "x", p.dilation_w, ") does not fit the padded ", p.in_h, "x", p.in_w, " input");
}

}  // namespace prunq
