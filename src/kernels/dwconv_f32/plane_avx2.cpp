// The AVX2 plane kernels: plane_impl.h on 8-float vectors.
#include "kernels/dwconv_f32/plane_impl.h"
#include "kernels/dwconv_f32/simd_avx2.h"

namespace prunq::dwconv_detail {

const PlaneKernels& plane_kernels_avx2() { return plane_impl::plane_kernels<Avx2>(); }

}  // namespace prunq::dwconv_detail
