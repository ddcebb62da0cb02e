// fp32 convolution entry points: per image and group, one GEMM with the weights as A, the
// image (1x1) or its implicit im2col (KxK) as B, and bias + activation fused into the store.
#include "kernels/conv_f32/conv_f32.h"

#include "core/error.h"
#include "kernels/conv_f32/im2col_pack.h"
#include "kernels/gemm_f32/driver.h"

namespace prunq {
namespace {

// weight is read when packed is null; otherwise packed holds each group's A panels.
void run_conv(const gemm_detail::Ukernel& uk, const Conv2dParams& p, const float* input, const float* weight,
              const PackedConv2dF32* packed, const float* bias, Activation act, float* output) {
  check_conv2d_params(p, "conv2d_f32");
  PRUNQ_CHECK(input && (weight || packed) && output, "conv2d_f32: input, weight and output must not be null");
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
      gp.A = gemm_detail::MatrixF32{weight ? weight + g * cout_g * k : nullptr, k, false};
      if (packed) gp.a_packed = packed->panels.data() + g * packed->group_stride;
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

const gemm_detail::Ukernel& variant(Isa isa) {
  const gemm_detail::Ukernel* uk = gemm_detail::ukernel_for(isa);
  PRUNQ_CHECK(uk, "conv2d_f32: no ", isa_name(isa), " GEMM variant in this build or on this CPU");
  return *uk;
}

PackedConv2dF32 prepack(const gemm_detail::Ukernel& uk, const Conv2dParams& p, const float* weight) {
  check_conv2d_params(p, "prepack_conv2d_f32");
  PRUNQ_CHECK(weight, "prepack_conv2d_f32: weight must not be null");
  const int64_t cout_g = p.out_channels / p.groups;
  const int64_t k = (p.in_channels / p.groups) * p.kernel_h * p.kernel_w;
  PackedConv2dF32 w;
  w.params = p;
  w.ukernel = &uk;
  w.group_stride = gemm_detail::packed_a_floats(uk, cout_g, k);
  w.panels.resize(static_cast<size_t>(w.group_stride * p.groups));
  for (int64_t g = 0; g < p.groups; ++g)
    gemm_detail::pack_a_whole(uk, gemm_detail::MatrixF32{weight + g * cout_g * k, k, false}, cout_g, k,
                              w.panels.data() + g * w.group_stride);
  return w;
}

}  // namespace

void conv2d_f32(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                Activation act, float* output) {
  run_conv(gemm_detail::ukernel_active(), p, input, weight, nullptr, bias, act, output);
}

PackedConv2dF32 prepack_conv2d_f32(const Conv2dParams& p, const float* weight) {
  return prepack(gemm_detail::ukernel_active(), p, weight);
}

PackedConv2dF32 prepack_conv2d_f32_isa(Isa isa, const Conv2dParams& p, const float* weight) {
  return prepack(variant(isa), p, weight);
}

void conv2d_f32_prepacked(const PackedConv2dF32& w, int64_t batch, const float* input, const float* bias,
                          Activation act, float* output) {
  PRUNQ_CHECK(w.ukernel, "conv2d_f32_prepacked: weights were never packed (use prepack_conv2d_f32)");
  Conv2dParams p = w.params;
  p.batch = batch;
  run_conv(*static_cast<const gemm_detail::Ukernel*>(w.ukernel), p, input, nullptr, &w, bias, act, output);
}

void conv2d_f32_isa(Isa isa, const Conv2dParams& p, const float* input, const float* weight, const float* bias,
                    Activation act, float* output) {
  run_conv(variant(isa), p, input, weight, nullptr, bias, act, output);
}

}  // namespace prunq
