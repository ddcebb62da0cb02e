// Every op prunq implements. Each X(Name) needs a `const Op& op_Name()` definition somewhere
// under src/ops/; the registry is built from this list, so a missing op fails at link time.
// Names are ONNX op types (prunq-domain ops are marked in their files).
#pragma once

#define PRUNQ_OP_LIST(X) \
  PRUNQ_OPS_NN(X)        \
  PRUNQ_OPS_ELEMENTWISE(X) \
  PRUNQ_OPS_SHAPE(X) \
  PRUNQ_OPS_REDUCE(X) \
  PRUNQ_OPS_QUANT(X)

// Convolution, dense, normalisation, pooling, losses.
#define PRUNQ_OPS_NN(X) \
  X(Conv) \
  X(Gemm) \
  X(MatMul) \
  X(BatchNormalization) \
  X(MaxPool) \
  X(AveragePool) \
  X(GlobalAveragePool) \
  X(SoftmaxCrossEntropyLoss)

// Activations and broadcasting arithmetic.
#define PRUNQ_OPS_ELEMENTWISE(X) \
  X(Relu) X(Clip) X(LeakyRelu) X(Sigmoid) X(Tanh) X(HardSwish) X(HardSigmoid) X(Gelu) X(Erf) \
  X(Softmax) X(LogSoftmax) X(Dropout) X(Identity) \
  X(Add) X(Sub) X(Mul) X(Div) X(Pow) X(PRelu) X(Sum) X(Max) X(Min) \
  X(Exp) X(Log) X(Sqrt) X(Neg) X(Abs) X(Reciprocal) X(Floor) X(Ceil) X(Elu) X(Selu) X(Softplus)

// Layout and shape ops.
#define PRUNQ_OPS_SHAPE(X) \
  X(Flatten) X(Reshape) X(Transpose) X(Squeeze) X(Unsqueeze) X(Concat) X(Pad) \
  X(Shape) X(Gather) X(Slice) X(Cast)


// Reductions over axes (src/ops/reduce).
#define PRUNQ_OPS_REDUCE(X) \
  X(ReduceSum) X(ReduceMean) X(ReduceMax) X(ReduceMin) X(ReduceProd) X(ReduceL1) X(ReduceL2) \
  X(ReduceSumSquare) X(ReduceLogSum) X(ReduceLogSumExp)

// Conversions between real and quantized tensors (ONNX QDQ).
#define PRUNQ_OPS_QUANT(X) \
  X(QuantizeLinear) X(DequantizeLinear)
