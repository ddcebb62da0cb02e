// Internal interface between the int8 GEMM driver (blocking, threading, row pointers) and the
// per-ISA micro-kernels. A micro-kernel computes an MR x (nv*16) tile: rows are given as
// pointers per K-segment (an indirection buffer), so the same kernel serves GEMM (1 segment,
// row pointers into A) and convolution (one segment per filter tap, pointing at the input
// pixel's channels or at a row of zero-point bytes for padding) without an im2col copy.
#pragma once
#include <cstdint>
#include <functional>

#include "kernels/gemm_s8/gemm_s8.h"

namespace prunq::gemm_s8_detail {

constexpr int kPanelCols = 16;

struct UkernelCall {
  const PackedGemmS8* p = nullptr;
  int mr = 0;                       // valid rows; pointers of rows mr..MR-1 repeat row 0
  int nv = 0;                       // 16-column panels in this tile
  int n_valid = 0;                  // valid columns among nv * 16
  int64_t n0 = 0;                   // first column
  const uint8_t* const* a = nullptr;  // [segments][MR] row pointers (MR = the kernel's rows for nv)
  const uint8_t* w = nullptr;       // first panel of the tile
  void* c = nullptr;                // output base
  int64_t c_index = 0;              // element index of (row 0, column n0)
  int64_t ldc = 0;                  // elements
  // The caller guarantees 3 readable bytes after every segment, so a partial last 4-byte K group
  // may be loaded whole (its extra bytes meet zero weights). Kernels that take the row sums from
  // the products ignore it with weight zero points (the sums must not see those bytes); the AVX2
  // ones sum the rows separately (ymm_common.h row_sums) and use it always.
  bool tail_overread = false;
};

enum class Layout : uint8_t {
  vnni4,  // int8, per panel: [group of 4 k][16 columns][4 k]  (vpdpbusd)
  i16x2,  // int16, per panel: [group of 4 k][k pair 01|23][columns 0-7|8-15][8 columns][2 k]  (vpmaddwd)
  s8x8,   // int8, per panel: [group of 8 k][16 columns][8 k]  (SMMLA: column pairs x 8 k per register)
};

// K bytes per packed group of each layout.
constexpr int layout_k_group(Layout l) { return l == Layout::s8x8 ? 8 : 4; }

struct UkernelInfo {
  void (*run)(const UkernelCall&) = nullptr;
  Layout layout = Layout::vnni4;
  int max_nv = 1;      // panels per tile
  int mr[5] = {};      // tile rows for nv = 1..max_nv
};

// The description of a kernel whose tiles are always one panel wide with `mr` rows.
inline UkernelInfo single_panel_ukernel(void (*run)(const UkernelCall&), Layout layout, int mr) {
  UkernelInfo i;
  i.run = run;
  i.layout = layout;
  i.max_nv = 1;
  i.mr[0] = mr;
  return i;
}

const UkernelInfo& ukernel_scalar();
#if defined(__x86_64__) || defined(_M_X64)
const UkernelInfo& ukernel_avx2();
const UkernelInfo& ukernel_avx2_maddubs();
const UkernelInfo& ukernel_avx_vnni();
const UkernelInfo& ukernel_avx512_vnni();
#endif
#if defined(__aarch64__)
const UkernelInfo& ukernel_neon();
const UkernelInfo& ukernel_neon_dotprod();
const UkernelInfo& ukernel_neon_i8mm();
#endif
const UkernelInfo& ukernel_info(GemmS8Kernel k, bool maddubs = false);
inline const UkernelInfo& ukernel_info(const PackedGemmS8& p) { return ukernel_info(p.kernel, p.maddubs); }

// Reads the 1..3 bytes of a partial K group without touching memory past them.
inline uint32_t load_tail(const uint8_t* p, int bytes) {
  uint32_t v = p[0];
  if (bytes > 1) v |= static_cast<uint32_t>(p[1]) << 8;
  if (bytes > 2) v |= static_cast<uint32_t>(p[2]) << 16;
  return v;
}

// fill(m0, mr, MR, ptrs): writes ptrs[s * MR + r] for every segment s and r < MR (rows r >= mr
// must repeat valid pointers, e.g. row m0's).
using RowFiller = std::function<void(int64_t m0, int mr, int MR, const uint8_t** ptrs)>;

// Runs the packed GEMM over m rows described by fill, writing C (row stride ldc elements).
void run_packed(const PackedGemmS8& p, int64_t m, const RowFiller& fill, void* c, int64_t ldc,
                bool tail_overread = false);

}  // namespace prunq::gemm_s8_detail
