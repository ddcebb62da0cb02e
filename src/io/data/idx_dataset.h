// Loads IDX image/label datasets (MNIST layout) by name or path:
//   "fashion-mnist"  Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist; the
//                    PRUNQ_FASHION_MNIST_DIR environment variable points elsewhere)
//   a directory      holding <split>-images-idx3-ubyte[.gz] and <split>-labels-idx1-ubyte[.gz]
//   an images file   "...images-idx3-ubyte[.gz]"; labels are the sibling "...labels-idx1-ubyte[.gz]"
// split is "train" or "test" ("t10k" on disk).
#pragma once
#include <string>

#include "io/data/dataset.h"

namespace prunq {

// Where the "fashion-mnist" name points (honours PRUNQ_FASHION_MNIST_DIR).
std::string fashion_mnist_dir();

// Loads images (f32 [N, 1, H, W] in [0, 1]) and labels (i64 [N], < num_classes). A missing file
// is an Error naming the path (and, for the Debian dataset, the package to install).
Dataset load_idx_dataset(const std::string& name_or_path, const std::string& split, int64_t num_classes = 10);

// Loads an explicit pair of IDX files.
Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path, int64_t num_classes = 10);

}  // namespace prunq
