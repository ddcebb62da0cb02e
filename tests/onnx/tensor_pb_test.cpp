// ONNX TensorProto files -> prunq Tensors: raw_data and every typed field, and clear refusals.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>

#include "io/onnx/onnx_io.h"
#include "io/onnx/tensor_proto.h"

namespace prunq::testing {
namespace {

// Writes a TensorProto to a temporary file that is removed when the test's files go out of scope.
struct TempFiles {
  std::vector<std::string> paths;
  ~TempFiles() {
    for (const auto& p : paths) std::filesystem::remove(p);
  }
  std::string write(const onnx::TensorProto& t, const std::string& name) {
    std::string path =
        (std::filesystem::temp_directory_path() / ("prunq_pb_" + std::to_string(::getpid()) + name)).string();
    std::string bytes;
    t.SerializeToString(&bytes);
    std::ofstream(path, std::ios::binary) << bytes;
    paths.push_back(path);
    return path;
  }
};

TEST(TensorPb, RawDataRoundTrip) {
  Tensor t = Tensor::from_vector({2, 3}, {1, -2, 3.5f, 4, 5, 6});
  std::string path = (std::filesystem::temp_directory_path() / "prunq_pb_raw.pb").string();
  write_tensor_pb(t, "t", path);
  Tensor back = read_tensor_pb(path);
  EXPECT_EQ(back.shape(), t.shape());
  EXPECT_EQ(max_abs_diff(back, t), 0.f);
  std::filesystem::remove(path);
}

TEST(TensorPb, TypedFields) {
  TempFiles files;
  onnx::TensorProto f;
  f.set_data_type(onnx::TensorProto::FLOAT);
  f.add_dims(2);
  f.add_float_data(1.5f);
  f.add_float_data(-2.f);
  Tensor tf = read_tensor_pb(files.write(f, "f.pb"));
  EXPECT_EQ(tf.shape(), (Shape{2}));
  EXPECT_EQ(tf.f32()[1], -2.f);

  onnx::TensorProto i8;
  i8.set_data_type(onnx::TensorProto::INT8);
  i8.add_dims(3);
  for (int v : {-128, 0, 127}) i8.add_int32_data(v);
  Tensor ti = read_tensor_pb(files.write(i8, "i8.pb"));
  EXPECT_EQ(ti.dtype(), DType::i8);
  EXPECT_EQ(ti.data<int8_t>()[0], -128);
  EXPECT_EQ(ti.data<int8_t>()[2], 127);

  onnx::TensorProto i64;
  i64.set_data_type(onnx::TensorProto::INT64);
  i64.add_int64_data(int64_t{1} << 40);  // a scalar: no dims
  Tensor tl = read_tensor_pb(files.write(i64, "i64.pb"));
  EXPECT_EQ(tl.rank(), 0);
  EXPECT_EQ(tl.data<int64_t>()[0], int64_t{1} << 40);
}

// The exporter's fp16 weight encoding decodes back to the same values (within fp16 rounding).
TEST(TensorPb, Fp16EncodingRoundTrip) {
  Tensor t = Tensor::from_vector({4}, {0.1f, -2.5f, 1000.f, 6e-5f});
  onnx::TensorProto proto;
  onnx_io::encode_f32_as_f16(t, "w", &proto);
  EXPECT_EQ(proto.data_type(), onnx::TensorProto::FLOAT16);
  EXPECT_EQ(proto.raw_data().size(), 8u);
  Tensor back = onnx_io::tensor_from_proto(proto, "w");
  ASSERT_EQ(back.dtype(), DType::f16);
  Tensor f = back.to(DType::f32);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(f.f32()[i], t.f32()[i], 1e-3 * std::fabs(t.f32()[i])) << i;
}

TEST(TensorPb, RefusalsAreClear) {
  TempFiles files;
  auto error_of = [](const std::string& path) {
    try {
      read_tensor_pb(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  onnx::TensorProto ext;
  ext.set_name("weights");
  ext.set_data_type(onnx::TensorProto::FLOAT);
  ext.add_dims(4);
  ext.set_data_location(onnx::TensorProto::EXTERNAL);
  auto* e = ext.add_external_data();
  e->set_key("location");
  e->set_value("weights.bin");
  EXPECT_NE(error_of(files.write(ext, "ext.pb")).find("external"), std::string::npos);

  onnx::TensorProto dbl;
  dbl.set_data_type(onnx::TensorProto::DOUBLE);
  dbl.add_double_data(1.0);
  EXPECT_NE(error_of(files.write(dbl, "dbl.pb")).find("DOUBLE"), std::string::npos);

  onnx::TensorProto short_raw;
  short_raw.set_data_type(onnx::TensorProto::FLOAT);
  short_raw.add_dims(4);
  short_raw.set_raw_data(std::string(8, '\0'));
  EXPECT_NE(error_of(files.write(short_raw, "short.pb")).find("raw_data has 8 bytes"), std::string::npos);

  onnx::TensorProto few;
  few.set_data_type(onnx::TensorProto::FLOAT);
  few.add_dims(3);
  few.add_float_data(1.f);
  EXPECT_NE(error_of(files.write(few, "few.pb")).find("1 stored values"), std::string::npos);
}

}  // namespace
}  // namespace prunq::testing
