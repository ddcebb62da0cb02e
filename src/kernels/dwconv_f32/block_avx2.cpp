// The AVX2 block kernels: block_impl.h on 8-float vectors, 8 channels per block.
#include "kernels/dwconv_f32/block_impl.h"
#include "kernels/dwconv_f32/simd_avx2.h"

namespace prunq::dwconv_detail {

const BlockKernels& block_kernels_avx2() { return block_impl::block_kernels<Avx2>(); }

}  // namespace prunq::dwconv_detail
