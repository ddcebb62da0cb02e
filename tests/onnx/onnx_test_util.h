// Helpers shared by the ONNX tests: hand-made ONNX models, error comparisons, and the cached
// PyTorch exports (made once per build tree by make_torch_models.py).
#pragma once
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace prunq::testing {

// Max |a - b| relative to max |ref| (the round-trip metric in the issue).
inline double max_rel_error(const Tensor& got, const Tensor& ref) {
  Tensor a = got.contiguous(), b = ref.contiguous();
  EXPECT_EQ(a.shape(), b.shape());
  if (a.shape() != b.shape()) return INFINITY;
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    diff = std::max(diff, double(std::fabs(a.f32()[i] - b.f32()[i])));
    scale = std::max(scale, double(std::fabs(b.f32()[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

// A model with one graph, built in tests. Values are float tensors unless said otherwise.
struct OnnxModelMaker {
  onnx::ModelProto model;
  explicit OnnxModelMaker(int opset) {
    model.set_ir_version(7);
    auto* o = model.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    model.mutable_graph()->set_name("handmade");
  }
  static void set_type(onnx::ValueInfoProto* vi, const std::string& name, const std::vector<int64_t>& dims,
                       int elem = onnx::TensorProto::FLOAT) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    auto* shape = tt->mutable_shape();
    for (int64_t d : dims) {
      auto* dim = shape->add_dim();
      if (d >= 0) dim->set_dim_value(d);
      else dim->set_dim_param(d == -1 ? "N" : "S" + std::to_string(-d));  // -1: the batch, -2..: other symbols
    }
  }
  void input(const std::string& name, const std::vector<int64_t>& dims, int elem = onnx::TensorProto::FLOAT) {
    set_type(model.mutable_graph()->add_input(), name, dims, elem);
  }
  void output(const std::string& name, const std::vector<int64_t>& dims, int elem = onnx::TensorProto::FLOAT) {
    set_type(model.mutable_graph()->add_output(), name, dims, elem);
  }
  void init_i64(const std::string& name, const std::vector<int64_t>& v) {
    auto* t = model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
  }
  void init_f32(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    auto* t = model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float x : v) t->add_float_data(x);
  }
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& in,
                        const std::vector<std::string>& out, const std::string& name = "") {
    auto* n = model.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + "_" + std::to_string(model.graph().node_size()) : name);
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return n;
  }
  static void attr_int(onnx::NodeProto* n, const std::string& k, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr_float(onnx::NodeProto* n, const std::string& k, float v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr_ints(onnx::NodeProto* n, const std::string& k, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  std::string bytes() const {
    std::string s;
    model.SerializeToString(&s);
    return s;
  }
};

// Directory of the PyTorch exports, made on first use by make_torch_models.py under the build
// tree (a lock in the script makes parallel test processes safe). Empty, with `why` set, when
// PyTorch/torchvision/onnx for Python are not available.
inline std::string torch_models_dir(std::string* why) {
  const std::string dir = std::string(PRUNQ_BINARY_DIR) + "/onnx_torch_models";
  if (std::filesystem::exists(dir + "/done")) return dir;
  const std::string script = std::string(PRUNQ_SOURCE_DIR) + "/tests/onnx/make_torch_models.py";
  const std::string cmd = "/usr/bin/python3 " + script + " " + dir + " > " + dir + ".log 2>&1";
  if (std::system(cmd.c_str()) != 0 || !std::filesystem::exists(dir + "/done")) {
    *why = "PyTorch export failed or python3-torch/torchvision/onnx missing (see " + dir + ".log)";
    return "";
  }
  return dir;
}

inline bool have_onnxruntime_node(std::string* why) {
  const std::string mod = std::string(PRUNQ_SOURCE_DIR) + "/tests/peers/node_modules/onnxruntime-node";
  if (!std::filesystem::exists(mod)) {
    *why = "onnxruntime-node not installed (cd tests/peers && npm install --ignore-scripts)";
    return false;
  }
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    *why = "node is not installed";
    return false;
  }
  return true;
}

inline void write_raw_f32(const Tensor& t, const std::string& path) {
  Tensor c = t.contiguous();
  std::ofstream(path, std::ios::binary).write(static_cast<const char*>(c.raw()), static_cast<std::streamsize>(c.nbytes()));
}

inline Tensor read_raw_f32(const std::string& path, const Shape& shape) {
  Tensor t(DType::f32, shape);
  std::ifstream in(path, std::ios::binary);
  in.read(static_cast<char*>(t.raw()), static_cast<std::streamsize>(t.nbytes()));
  EXPECT_TRUE(in.good()) << "short read of " << path;
  return t;
}

inline std::string dims_arg(const Shape& s) {
  std::string a;
  for (size_t i = 0; i < s.size(); ++i) a += (i ? "x" : "") + std::to_string(s[i]);
  return a;
}

// Runs `model` in ONNX Runtime on `x`; returns its first output (shape `out_shape`).
inline Tensor run_onnxruntime(const std::string& model, const Tensor& x, const Shape& out_shape, const std::string& work) {
  std::filesystem::create_directories(work);
  write_raw_f32(x, work + "/input_0.f32");
  const std::string cmd = "node " + std::string(PRUNQ_SOURCE_DIR) + "/tests/onnx/ort_run.js " + model + " " + work +
                          " " + work + "/input_0.f32:" + dims_arg(x.shape()) + " > " + work + "/ort.log 2>&1";
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << "ONNX Runtime failed, see " << work << "/ort.log";
  return read_raw_f32(work + "/output_0.f32", out_shape);
}

}  // namespace prunq::testing
