// The int8 GEMM driver: splits C into M blocks x column groups, hands tiles to the packed
// kernel's micro-kernel with row pointers, and threads the blocks with parallel_for.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/gemm_s8/gemm_s8.h"
#include "kernels/gemm_s8/ukernel.h"

namespace prunq {
namespace gemm_s8_detail {

const UkernelInfo& ukernel_info(GemmS8Kernel k, bool maddubs) {
  switch (k) {
#if defined(__x86_64__) || defined(_M_X64)
    case GemmS8Kernel::avx2: return maddubs ? ukernel_avx2_maddubs() : ukernel_avx2();
    case GemmS8Kernel::avx_vnni: return ukernel_avx_vnni();
    case GemmS8Kernel::avx512_vnni: return ukernel_avx512_vnni();
#endif
#if defined(__aarch64__)
    case GemmS8Kernel::neon: return ukernel_neon();
    case GemmS8Kernel::neon_dotprod: return ukernel_neon_dotprod();
    case GemmS8Kernel::neon_i8mm: return ukernel_neon_i8mm();
#endif
    default: return ukernel_scalar();
  }
}

void run_packed(const PackedGemmS8& p, int64_t m, const RowFiller& fill, void* c, int64_t ldc,
                bool tail_overread) {
  if (m <= 0) return;
  PRUNQ_CHECK(c != nullptr && ldc >= p.n, "gemm_s8: output row stride ", ldc, " < N=", p.n);
  PRUNQ_CHECK(p.kernel == GemmS8Kernel::scalar || cpu_supports(gemm_s8_kernel_isa(p.kernel)),
              "gemm_s8: weights packed for ", gemm_s8_kernel_name(p.kernel), " which this CPU lacks");
  const UkernelInfo& info = ukernel_info(p);
  const int64_t panels = p.n_padded / kPanelCols;
  // Column groups of at most max_nv panels, as even as possible (5 panels -> 3 + 2, not 4 + 1).
  const int64_t n_groups = (panels + info.max_nv - 1) / info.max_nv;
  const int nv_small = static_cast<int>(panels / n_groups);
  const int64_t n_big = panels % n_groups;  // the first n_big groups hold nv_small + 1 panels
  const int mr_max = info.mr[std::min<int>(nv_small + (n_big ? 1 : 0), info.max_nv) - 1];
  // M blocks of a few tiles: the block's rows of A stay in L1/L2 while every column group runs.
  const int64_t rows_per_block = static_cast<int64_t>(mr_max) * std::max<int64_t>(1, 96 / mr_max);
  const int64_t m_blocks = (m + rows_per_block - 1) / rows_per_block;
  const int64_t tasks = m_blocks * n_groups;

  // Threads take tasks from a shared counter instead of fixed halves: on a busy machine (or a
  // big.LITTLE board) a thread that gets less CPU simply takes fewer tasks.
  std::atomic<int64_t> next{0};
  const int workers = static_cast<int>(std::min<int64_t>(num_threads(), tasks));
  const int64_t batch = std::max<int64_t>(1, tasks / (16 * workers));  // tasks taken per grab
  parallel_for(workers, [&](int64_t, int64_t) {
    std::vector<const uint8_t*> ptrs;
    for (;;) {
      int64_t t0 = next.fetch_add(batch, std::memory_order_relaxed);
      if (t0 >= tasks) break;
      for (int64_t t = t0; t < std::min(tasks, t0 + batch); ++t) {
        int64_t mb = t / n_groups, g = t % n_groups;
        int nv = nv_small + (g < n_big ? 1 : 0);
        int64_t panel0 = g * nv_small + std::min(g, n_big);
        int MR = info.mr[nv - 1];
        int64_t n0 = panel0 * kPanelCols;
        UkernelCall call;
        call.p = &p;
        call.nv = nv;
        call.n0 = n0;
        call.n_valid = static_cast<int>(std::min<int64_t>(p.n - n0, int64_t{nv} * kPanelCols));
        call.w = p.panel_data() + panel0 * p.panel_bytes;
        call.c = c;
        call.ldc = ldc;
        call.tail_overread = tail_overread;
        ptrs.resize(static_cast<size_t>(p.segments * MR));
        int64_t m_end = std::min(m, (mb + 1) * rows_per_block);
        for (int64_t m0 = mb * rows_per_block; m0 < m_end; m0 += MR) {
          int mr = static_cast<int>(std::min<int64_t>(MR, m_end - m0));
          fill(m0, mr, MR, ptrs.data());
          call.mr = mr;
          call.a = ptrs.data();
          call.c_index = m0 * ldc + n0;
          info.run(call);
        }
      }
    }
  });
}

}  // namespace gemm_s8_detail

void gemm_s8(const PackedGemmS8& p, int64_t m, const void* a, int64_t lda, void* c, int64_t ldc) {
  if (m <= 0) return;
  PRUNQ_CHECK(p.segments == 1, "gemm_s8: weights were packed for a convolution (", p.segments, " segments)");
  PRUNQ_CHECK(a != nullptr && lda >= p.k, "gemm_s8: activation row stride ", lda, " < K=", p.k);
  const uint8_t* a8 = static_cast<const uint8_t*>(a);
  std::vector<uint8_t> flipped;
  if (p.a_signed) {  // int8 -> uint8 by flipping the sign bit (a + 128); the zero point was shifted too
    flipped.resize(static_cast<size_t>(m * p.k));
    parallel_for(m, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t i = 0; i < p.k; ++i) flipped[r * p.k + i] = a8[r * lda + i] ^ 0x80;
    });
    a8 = flipped.data();
    lda = p.k;
  }
  gemm_s8_detail::run_packed(
      p, m,
      [&](int64_t m0, int mr, int MR, const uint8_t** ptrs) {
        for (int r = 0; r < MR; ++r) ptrs[r] = a8 + (m0 + (r < mr ? r : 0)) * lda;
      },
      c, ldc);
}

}  // namespace prunq
