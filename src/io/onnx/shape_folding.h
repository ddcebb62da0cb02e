// Import-time evaluation of the shape arithmetic exporters wrap around Reshape/Flatten
// (PyTorch: Shape -> Gather -> Unsqueeze -> Concat -> Reshape). The values are small int64
// vectors whose entries may be symbolic dims (e.g. the batch); they never become IR nodes.
// A Reshape whose target only has symbols that copy the data's own dims is rewritten to use
// ONNX's "0 = copy this dim" convention, so a dynamic batch keeps working.
#pragma once
#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/onnx/onnx_types.h"

namespace prunq::onnx_io {

struct Folded {
  Tensor tensor;               // defined when every element is known
  std::vector<SymDim> elems;   // for int64 values of rank <= 1: the elements, maybe symbolic
  bool int_list = false;       // elems is meaningful
  bool scalar = false;         // rank 0 (with int_list)

  static Folded from_tensor(Tensor t);
  static Folded from_elems(std::vector<SymDim> elems, bool scalar);
  bool fully_known() const { return tensor.defined(); }
  std::string describe() const;  // "[N, 512]" for messages
};

// Op types try_fold may evaluate. Constant is always folded.
bool is_foldable_op(const std::string& op_type);

// Evaluates `node` when all its inputs are folded (inputs[i] == nullptr: not folded; an omitted
// optional input is passed as a pointer to an empty Folded with no tensor and no elems).
// type_of gives the statically inferred type of a value (for Shape). Returns nullopt when the node
// cannot be evaluated at import time; it then stays a normal node.
std::optional<std::vector<Folded>> try_fold(const onnx::NodeProto& node, int opset,
                                            const std::vector<const Folded*>& inputs,
                                            const std::function<const ValueType*(const std::string&)>& type_of);

}  // namespace prunq::onnx_io
