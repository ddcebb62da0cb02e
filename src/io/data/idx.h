// IDX files (the MNIST / Fashion-MNIST format): a 4-byte magic {0, 0, type, rank}, `rank`
// big-endian u32 dimensions, then the data in big-endian C order. Files may be gzip-compressed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace prunq {

// Parses an IDX buffer into a tensor of its own element type: u8 (0x08), i8 (0x09), i16 (0x0B,
// widened to i32), i32 (0x0C), f32 (0x0D), f64 (0x0E, narrowed to f32). Bad magic, unknown
// type codes, zero rank and a size that disagrees with the dimensions are Errors naming origin.
Tensor parse_idx(const std::vector<uint8_t>& bytes, const std::string& origin);

// Reads (and gunzips when needed) an IDX file.
Tensor read_idx(const std::string& path);

// Images: an IDX u8 tensor [N, H, W] (or [N, C, H, W]) -> f32 [N, C, H, W] scaled to [0, 1].
Tensor idx_images_to_f32(const Tensor& raw, const std::string& origin);

// Labels: an IDX u8/i8/i32 tensor [N] -> i64 [N]; every label must lie in [0, num_classes).
Tensor idx_labels_to_i64(const Tensor& raw, int64_t num_classes, const std::string& origin);

}  // namespace prunq
