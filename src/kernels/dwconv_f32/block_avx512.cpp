// The AVX-512 block kernels: block_impl.h on 16-float vectors, 16 channels per block.
// GCC 12 flags the deliberately undefined source operands inside its own AVX-512 intrinsics
// (_mm512_min_ps, _mm512_unpacklo_ps, _mm512_shuffle_f32x4, ...).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "kernels/dwconv_f32/block_impl.h"
#include "kernels/dwconv_f32/simd_avx512.h"

namespace prunq::dwconv_detail {

const BlockKernels& block_kernels_avx512() { return block_impl::block_kernels<Avx512>(); }

}  // namespace prunq::dwconv_detail
