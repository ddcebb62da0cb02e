// The NEON block kernels: block_impl.h on 4-float vectors, 4 channels per block.
#include "kernels/dwconv_f32/block_impl.h"
#include "kernels/dwconv_f32/simd_neon.h"

namespace prunq::dwconv_detail {

const BlockKernels& block_kernels_neon() { return block_impl::block_kernels<Neon>(); }

}  // namespace prunq::dwconv_detail
