// im2col / col2im for a chunk of images, in the layout that lets one GEMM cover the whole chunk:
// col[(c*kh + i)*kw + j][b*oh*ow + y*ow + x] = input[b][c][y*sh - pt + i*dh][x*sw - pl + j*dw]
// (zero where the window reads padding). Rows of one channel group are contiguous, so grouped
// convolutions take row blocks of the same buffer.
#pragma once
#include <cstdint>

#include "ops/nn/window_geometry.h"

namespace prunq::nn {

// x: [batch, channels, ih, iw] contiguous. col: [channels*kh*kw, batch*oh*ow].
void im2col_batch(const float* x, int64_t batch, int64_t channels, const Window2d& w, float* col);

// Adjoint of im2col_batch: dx[batch, channels, ih, iw] += scatter of col.
void col2im_batch_add(const float* col, int64_t batch, int64_t channels, const Window2d& w, float* dx);

}  // namespace prunq::nn
