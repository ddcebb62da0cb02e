// Quantized int8 GEMM: C[M,N] = output_stage( sum_k (A[m,k] - a_zp) * (W[n,k] - w_zp[n]) + bias[n] ).
// A is uint8 (or int8, QuantSpec::a_signed) row-major; W is int8, given per output channel (row n
// holds the K weights of output n, the layout of conv / Linear weights); accumulation is int32.
//
// Weights are packed ONCE (pack_gemm_s8) into the micro-kernel's layout together with the
// zero-point correction  bias[n] - a_zp * sum_k W[n,k] + K * a_zp * w_zp[n]  and the expanded
// output stage, so a run only does the u8 x s8 dot products and the fused epilogue.
// int8 activations are run as uint8 (a XOR 0x80 = a + 128, zero point + 128): exact and one code path.
//
// Kernels: scalar (the portable fallback), avx2, avx_vnni (256-bit vpdpbusd), avx512_vnni (512-bit
// vpdpbusd); on aarch64 neon (SMULL + SADALP: exact int16 products summed pairwise into int32,
// any ARMv8.0 core), neon_dotprod (SDOT) and neon_i8mm (SMMLA). The best one allowed by
// active_isa() is chosen at pack time; results are bit-exact across kernels. avx2 has two forms,
// chosen per weight matrix at pack time: vpmaddubsw when every weight pair provably keeps its
// int16 sums unsaturated (e.g. all weights in [-64, 64]; see avx2_maddubs.cpp), vpmaddwd on
// int16-widened weights and activations otherwise (exact always). The NEON kernels read the
// activation bytes as int8 (byte ^ 0x80 = byte - 128, the signed instructions' domain), so their
// correction terms use the zero point minus 128.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/cpu_features.h"
#include "kernels/requant/requant.h"

namespace prunq {

enum class GemmS8Kernel : uint8_t { scalar, avx2, avx_vnni, avx512_vnni, neon, neon_dotprod, neon_i8mm };
inline constexpr GemmS8Kernel kAllGemmS8Kernels[] = {GemmS8Kernel::scalar,      GemmS8Kernel::avx2,
                                                     GemmS8Kernel::avx_vnni,    GemmS8Kernel::avx512_vnni,
                                                     GemmS8Kernel::neon,        GemmS8Kernel::neon_dotprod,
                                                     GemmS8Kernel::neon_i8mm};
std::string_view gemm_s8_kernel_name(GemmS8Kernel k);
Isa gemm_s8_kernel_isa(GemmS8Kernel k);
bool gemm_s8_kernel_available(GemmS8Kernel k);  // CPU supports it and active_isa() allows it
GemmS8Kernel best_gemm_s8_kernel();              // from active_isa()

// Weights with their correction terms and output stage, in one kernel's layout.
struct PackedGemmS8 {
  GemmS8Kernel kernel = GemmS8Kernel::scalar;
  int64_t n = 0, k = 0;           // logical sizes
  int64_t segments = 1;           // K = segments * segment_len (conv: taps * channels)
  int64_t segment_len = 0;
  int k_group = 4;                // K bytes per packed group: 4, or 8 for the i8mm layout
  int64_t segment_groups = 0;     // full k_group-byte groups per segment
  int segment_tail = 0;           // bytes in a last partial group per segment (0..k_group-1)
  int64_t n_padded = 0;           // n rounded up to 16
  int64_t panel_bytes = 0;        // bytes per 16-column panel
  bool a_signed = false;
  bool maddubs = false;           // avx2 only: the vpmaddubsw form (weights passed its bound)
  int32_t a_zero_point_u8 = 0;    // activation zero point in the uint8 domain of the bytes given to the kernel
  std::vector<uint8_t> panels;    // n_padded/16 panels of packed weights (64-byte aligned start)
  std::vector<int32_t> correction;     // per column: bias - a_zp * colsum + K * a_zp * w_zp
  std::vector<int32_t> w_zero_points;  // per column; empty when all are zero (symmetric weights)
  OutputStage out;

  const uint8_t* panel_data() const;
};

// Packs W (n rows of k int8 weights, row stride ldw) for the kernel, with `segments` equal
// K-segments (conv taps: each padded to whole 4-byte groups; GEMM: 1).
PackedGemmS8 pack_gemm_s8(const int8_t* w, int64_t n, int64_t k, int64_t ldw, const QuantSpec& spec,
                          GemmS8Kernel kernel, int64_t segments = 1);
inline PackedGemmS8 pack_gemm_s8(const int8_t* w, int64_t n, int64_t k, const QuantSpec& spec) {
  return pack_gemm_s8(w, n, k, k, spec, best_gemm_s8_kernel());
}

// The micro-kernel the packed weights run: the kernel's name, or "avx2_maddubs".
std::string_view packed_gemm_s8_kernel_name(const PackedGemmS8& p);

// True when vpmaddubsw cannot saturate on any activations for these weights (n rows of k, stride
// ldw, `segments` equal K segments each packed in 4-byte groups): every pair of K positions
// (4g, 4g+1), (4g+2, 4g+3) of a segment has positive part sum <= 128 and negative part sum >= -128.
bool weights_fit_maddubs(const int8_t* w, int64_t n, int64_t k, int64_t ldw, int64_t segments);

// C[M, n] (row stride ldc elements, element type spec.out_type) from A[M, k] (row stride lda
// bytes, uint8 or int8). Threaded over M and N blocks with prunq::parallel_for.
void gemm_s8(const PackedGemmS8& p, int64_t m, const void* a, int64_t lda, void* c, int64_t ldc);

// The plain loops that define the result: the test oracle for every kernel.
void gemm_s8_reference(const int8_t* w, int64_t n, int64_t k, int64_t ldw, const QuantSpec& spec, int64_t m,
                       const void* a, int64_t lda, void* c, int64_t ldc);

// Size in bytes of one output element.
int64_t qout_size(QOut t);

}  // namespace prunq
