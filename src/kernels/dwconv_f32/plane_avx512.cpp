// The AVX-512 plane kernels: plane_impl.h on 16-float vectors.
// GCC 12 flags the deliberately undefined source operands inside its own AVX-512 intrinsics
// (_mm512_min_ps, _mm512_unpacklo_ps, _mm512_shuffle_f32x4, ...).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "kernels/dwconv_f32/plane_impl.h"
#include "kernels/dwconv_f32/simd_avx512.h"

namespace prunq::dwconv_detail {

const PlaneKernels& plane_kernels_avx512() { return plane_impl::plane_kernels<Avx512>(); }

}  // namespace prunq::dwconv_detail
