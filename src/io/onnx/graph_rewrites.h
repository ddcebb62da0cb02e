// Rewrites applied to a freshly imported graph.
#pragma once
#include "graph/graph.h"

namespace prunq::onnx_io {

// x * 0.5 * (1 + erf(x / sqrt(2))) in any of the orders exporters write it -> one Gelu node.
// Only done when the IR has a Gelu op. Returns the number of patterns fused.
int fuse_gelu(Graph& g);

// x * HardSigmoid(x; alpha=1/6, beta=0.5) -> HardSwish(x): how exporters write HardSwish for
// opsets before 14. Only done when the IR has a HardSwish op. Returns the number fused.
int fuse_hardswish(Graph& g);

// Marks float initializers trainable when they are weights/biases of Conv, Gemm, MatMul (and the
// bias Add after a MatMul) or BatchNormalization scale/bias. BN running statistics and every
// other constant stay frozen.
void mark_trainable_parameters(Graph& g);

// An integer initializer that only DequantizeLinear nodes read, all with the same constant scale
// and zero point (QDQ weights and biases), becomes a quantized tensor carrying those parameters,
// so the IR knows it as a quantized weight (inspect, plans). Returns the number annotated.
int attach_dequantize_params(Graph& g);

}  // namespace prunq::onnx_io
