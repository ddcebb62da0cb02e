#include "prunq/datasets.h"

#include <algorithm>

#include "io/data/idx_dataset.h"

namespace prunq::cli {

Dataset load_dataset_split(const std::string& name_or_path, const std::string& split, int64_t limit) {
  Dataset d = load_idx_dataset(name_or_path, split);
  if (limit > 0 && limit < d.size()) d = d.slice(0, limit);
  return d;
}

}  // namespace prunq::cli
