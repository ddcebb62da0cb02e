// Dataset arguments shared by train and eval: --data NAME|PATH (IDX images + labels: the name
// "fashion-mnist" or a folder/file, see io/data/idx_dataset.h) and --limit N.
#pragma once
#include <cstdint>
#include <string>

#include "io/data/dataset.h"

namespace prunq::cli {

// split: "train" or "test". limit > 0 keeps only the first `limit` samples (fast runs, tests).
Dataset load_dataset_split(const std::string& name_or_path, const std::string& split, int64_t limit);

}  // namespace prunq::cli
