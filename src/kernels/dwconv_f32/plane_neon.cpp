// The NEON plane kernels: plane_impl.h on 4-float vectors.
#include "kernels/dwconv_f32/plane_impl.h"
#include "kernels/dwconv_f32/simd_neon.h"

namespace prunq::dwconv_detail {

const PlaneKernels& plane_kernels_neon() { return plane_impl::plane_kernels<Neon>(); }

}  // namespace prunq::dwconv_detail
