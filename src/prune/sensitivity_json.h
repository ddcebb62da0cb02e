// Sensitivity reports and allocations as JSON: `prunq sensitivity --json` writes them and
// `prunq prune --allocation FILE` reads a report back to allocate a global target from it.
//   {"dense": {"accuracy", "loss", "samples"},
//    "layers": [{"layer", "weight", "weights", "points": [{"sparsity", "accuracy", "loss"}...]}...]}
#pragma once
#include <string>

#include "io/json/json_file.h"
#include "prune/sensitivity.h"

namespace prunq {

Json sensitivity_to_json(const SensitivityReport& r);
// A missing or mistyped field is an Error naming `what` (the file) and the field.
SensitivityReport sensitivity_from_json(const Json& j, const std::string& what);

Json allocation_to_json(const SparsityAllocation& a);

}  // namespace prunq
