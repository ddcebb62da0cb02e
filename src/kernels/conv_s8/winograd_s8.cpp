// Packing, the exactness proof and the block driver of the int8 Winograd convolution.
#include "kernels/conv_s8/winograd_s8.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/conv_s8/conv_s8.h"
#include "kernels/conv_s8/winograd_s8_kernels.h"

namespace prunq {
namespace {

using namespace winograd_s8;

// G of F(4x4, 3x3) with its rows scaled to integers by 12, -6, -6, 24, 24, 3: the scales are
// chosen so that A'^T's compensating column factors 24 / scale are powers of two, and |U| stays
// within int16 (each row's absolute sum times each other's is at most 7 * 7).
constexpr int kG[kWindow][3] = {{3, 0, 0}, {-1, -1, -1}, {-1, 1, -1}, {1, 2, 4}, {1, -2, 4}, {0, 0, 3}};

int32_t zero_point_u8(const QuantSpec& spec) { return spec.a_signed ? spec.a_zero_point + 128 : spec.a_zero_point; }

const winograd_s8_detail::Kernels& kernels_for(GemmS8Kernel k) {
#if defined(__x86_64__) || defined(_M_X64)
  switch (k) {
    case GemmS8Kernel::avx2: return winograd_s8_detail::kernels_avx2();
    case GemmS8Kernel::avx_vnni: return winograd_s8_detail::kernels_avx_vnni();
    case GemmS8Kernel::avx512_vnni: return winograd_s8_detail::kernels_avx512_vnni();
    case GemmS8Kernel::scalar: break;
  }
#endif
  (void)k;
  return winograd_s8_detail::kernels_scalar();
}

// Cache-line aligned scratch for one thread's block buffers.
template <typename T>
struct Scratch {
  std::vector<T> storage;
  T* data = nullptr;
  explicit Scratch(size_t n) : storage(n + 64 / sizeof(T)) {
    auto addr = reinterpret_cast<uintptr_t>(storage.data());
    data = reinterpret_cast<T*>((addr + 63) & ~uintptr_t{63});
  }
};

}  // namespace

bool winograd_s8_exact(const ConvS8Shape& s, const int8_t* w, const QuantSpec& spec) {
  if (s.kernel_h != 3 || s.kernel_w != 3 || s.stride_h != 1 || s.stride_w != 1 || s.dilation_h != 1 ||
      s.dilation_w != 1 || w == nullptr)
    return false;
  const int32_t za = zero_point_u8(spec);
  if (za < 0 || za > 255) return false;
  const int64_t max_x = std::max(za, 255 - za);
  for (int64_t o = 0; o < s.out_c; ++o) {
    const int64_t zw = per_channel(spec.w_zero_points, o, 0);
    int64_t sum = 0;
    for (int64_t i = 0; i < s.in_c * 9; ++i) sum += std::abs(w[o * s.in_c * 9 + i] - zw);
    if (max_x * sum >= (int64_t{1} << 25)) return false;
  }
  return true;
}

PackedWinogradS8 pack_winograd_s8(const ConvS8Shape& s, const int8_t* w, const QuantSpec& spec, GemmS8Kernel kernel) {
  check_conv_s8_shape(s, "conv_s8 (winograd)");
  PRUNQ_CHECK(winograd_s8_exact(s, w, spec), "conv_s8 (winograd): a ", s.kernel_h, "x", s.kernel_w, " stride ",
              s.stride_h, " convolution with these weights is not exact in F(4x4, 3x3)");
  PackedWinogradS8 p;
  p.kernel = kernel;
  p.c = s.in_c;
  p.pairs = (s.in_c + 1) / 2;
  p.k = s.out_c;
  p.panels = (s.out_c + kPanel - 1) / kPanel;
  p.a_signed = spec.a_signed;
  p.a_zero_point_u8 = zero_point_u8(spec);
  p.out = make_output_stage(spec, p.k, p.panels * kPanel, "conv_s8 (winograd)");

  // u[pos][panel][pair][col][2]: one 64-byte row of 16 columns x 2 channels per pair.
  const int64_t panel_elems = p.pairs * kPanel * 2;
  p.u.assign(static_cast<size_t>(kPositions * p.panels * panel_elems), 0);
  for (int64_t o = 0; o < p.k; ++o) {
    const int32_t zw = per_channel(spec.w_zero_points, o, 0);
    const int64_t panel = o / kPanel, col = o % kPanel;
    for (int64_t ci = 0; ci < p.c; ++ci) {
      const int8_t* g = w + (o * p.c + ci) * 9;
      int32_t gt[kWindow][3];  // G' g
      for (int a = 0; a < kWindow; ++a)
        for (int j = 0; j < 3; ++j) {
          gt[a][j] = 0;
          for (int i = 0; i < 3; ++i) gt[a][j] += kG[a][i] * (g[i * 3 + j] - zw);
        }
      for (int a = 0; a < kWindow; ++a)
        for (int bcol = 0; bcol < kWindow; ++bcol) {
          int32_t v = 0;
          for (int j = 0; j < 3; ++j) v += gt[a][j] * kG[bcol][j];
          const int64_t pos = a * kWindow + bcol;
          p.u[static_cast<size_t>(((pos * p.panels + panel) * p.pairs + ci / 2) * kPanel * 2 + col * 2 + ci % 2)] =
              static_cast<int16_t>(v);
        }
    }
  }
  // 36 * (bias - za * sum_c U[start][o][c]), in wrapping uint32 arithmetic.
  p.start.assign(static_cast<size_t>(p.panels * kPanel), 0);
  for (int64_t o = 0; o < p.k; ++o) {
    uint32_t usum = 0;
    const int16_t* u = p.u.data() + (kStartPosition * p.panels + o / kPanel) * p.pairs * kPanel * 2 + o % kPanel * 2;
    for (int64_t pr = 0; pr < p.pairs; ++pr) usum += static_cast<uint32_t>(u[pr * kPanel * 2] + u[pr * kPanel * 2 + 1]);
    const uint32_t bias = spec.bias.empty() ? 0u : static_cast<uint32_t>(spec.bias[o]);
    p.start[o] = static_cast<int32_t>(36u * (bias - static_cast<uint32_t>(p.a_zero_point_u8) * usum));
  }
  return p;
}

void conv_winograd_s8(const PackedWinogradS8& p, const ConvS8Shape& s, int64_t batch, const void* input, void* output) {
  PRUNQ_CHECK(batch >= 0 && input != nullptr && output != nullptr, "conv_s8 (winograd): bad batch ", batch,
              " or null tensor");
  PRUNQ_CHECK(s.in_c == p.c && s.out_c == p.k, "conv_s8 (winograd): shape ", s.in_c, "->", s.out_c,
              " does not match the packed weights ", p.c, "->", p.k);
  PRUNQ_CHECK(p.kernel == GemmS8Kernel::scalar || cpu_supports(gemm_s8_kernel_isa(p.kernel)),
              "conv_s8 (winograd): weights packed for ", gemm_s8_kernel_name(p.kernel), " which this CPU lacks");
  if (batch == 0) return;
  winograd_s8_detail::Geometry g;
  g.in_h = s.in_h;
  g.in_w = s.in_w;
  g.c = s.in_c;
  g.pad_top = s.pad_top;
  g.pad_left = s.pad_left;
  g.out_h = s.out_h();
  g.out_w = s.out_w();
  g.tiles_h = (g.out_h + kOut - 1) / kOut;
  g.tiles_w = (g.out_w + kOut - 1) / kOut;
  g.channels_padded = p.pairs * 2;
  const std::vector<uint8_t> pad_row(static_cast<size_t>(g.channels_padded + 32),
                                     static_cast<uint8_t>(p.a_signed ? p.a_zero_point_u8 ^ 0x80 : p.a_zero_point_u8));
  g.pad_row = pad_row.data();
  const winograd_s8_detail::Kernels& kern = kernels_for(p.kernel);
  const int64_t tiles = batch * g.tiles_h * g.tiles_w;
  const int64_t blocks = (tiles + kBlockTiles - 1) / kBlockTiles;
  const uint8_t* in = static_cast<const uint8_t*>(input);

  // Blocks are taken from a shared counter (a thread that gets less CPU takes fewer); each
  // block runs all three stages while its V and M stay in L2.
  std::atomic<int64_t> next{0};
  const int workers = static_cast<int>(std::min<int64_t>(num_threads(), blocks));
  parallel_for(workers, [&](int64_t, int64_t) {
    Scratch<int16_t> v(static_cast<size_t>(kPositions * kBlockTiles * g.channels_padded));
    Scratch<int32_t> m(static_cast<size_t>(kPositions * kBlockTiles * kMaxPanels * kPanel));
    for (int64_t blk; (blk = next.fetch_add(1, std::memory_order_relaxed)) < blocks;) {
      const int64_t t0 = blk * kBlockTiles;
      const int n = static_cast<int>(std::min<int64_t>(kBlockTiles, tiles - t0));
      winograd_s8_detail::Geometry::Tile where[kBlockTiles];
      g.tiles(t0, n, where);
      kern.input(g, in, p.a_signed, p.a_zero_point_u8, where, n, v.data);
      for (int64_t p0 = 0; p0 < p.panels; p0 += kMaxPanels) {
        const int np = static_cast<int>(std::min<int64_t>(kMaxPanels, p.panels - p0));
        kern.gemm(p, v.data, p0, np, m.data);
        kern.output(p, g, m.data, where, n, p0, np, output);
      }
    }
  });
}

}  // namespace prunq
