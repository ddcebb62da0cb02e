// fp32 convolution entry points: per image and group, one GEMM with the weights as A, the
// image (1x1) or its implicit im2col (KxK) as B, and bias + activation fused into the store.
#include "kernels/conv_f32/conv_f32.h"

#include "core/error.h"
#include "kernels/conv_f32/im2col_pack.h"
#include "kernels/gemm_f32/driver.h"

namespace prunq {
namespace {

void run_conv(const gemm_detail::Ukernel& uk, const Conv2dParams& p, const float* input, const float* weight,
              const float* bias, Activation act, float* output) {
  check_conv2d_params(p, "conv2d_f32");
  PRUNQ_CHECK(input && weight && output, "conv2d_f32: input, weight and output must not be null");
  const int64_t oh = p.out_h(), ow = p.out_w(), pixels = oh * ow, plane = p.in_h * p.in_w;
  const int64_t cin_g = p.in_channels / p.groups, cout_g = p.out_channels / p.groups;
  const int64_t k = cin_g * p.kernel_h * p.kernel_w;
  const bool pointwise = p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                         p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 && p.pad_right == 0;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t g = 0; g < p.groups; ++g) {
      const float* image = input + (n * p.in_channels + g * cin_g) * plane;
      GemmEpilogue e = with_activation({}, act);
      if (bias) e.row_bias = bias + g * cout_g;
      gemm_detail::GemmProblem gp;
      gp.M = cout_g;
      gp.N = pixels;
      gp.K = k;
      gp.A = gemm_detail::MatrixF32{weight + g * cout_g * k, k, false};
      gp.C = output + (n * p.out_channels + g * cout_g) * pixels;
      gp.ldc = pixels;
      gp.epilogue = &e;
      // Both sources outlive run_gemm; only the one the branch picks is used.
      const gemm_detail::MatrixF32 matrix{image, pixels, false};
      const conv_detail::Im2colSource im2col{image, &p, oh, ow};
      gp.B = pointwise ? gemm_detail::BPacker{gemm_detail::pack_b_matrix, &matrix}
                       : gemm_detail::BPacker{conv_detail::pack_im2col, &im2col};
      gemm_detail::run_gemm(uk, gp);
    }
}

}  // namespace

void conv2d_f32(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                Activation act, float* output) {
  run_conv(gemm_detail::ukernel_active(), p, input, weight, bias, act, output);
}

void conv2d_f32_isa(Isa isa, const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                    Activation act, float* output) {
  const gemm_detail::Ukernel* uk = gemm_detail::ukernel_for(isa);
  PRUNQ_CHECK(uk, "conv2d_f32: no ", isa_name(isa), " GEMM variant in this build or on this CPU");
  run_conv(*uk, p, input, weight, bias, act, output);
}

}  // namespace prunq
