#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "io/data/npy.h"
#include "io/data_temp.h"
#include "support/error_of.h"

namespace prunq {
namespace {

using testing::TempDir;

using testing::error_of;

// Builds a .npy buffer by hand (as NumPy would write it) to test the reader independently of our writer.
std::vector<uint8_t> npy_v1(const std::string& header_dict, const std::vector<uint8_t>& payload, int major = 1) {
  std::string h = header_dict;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::vector<uint8_t> b{0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0, uint8_t(h.size()), uint8_t(h.size() >> 8)};
  if (major != 1) b.insert(b.end(), {0, 0});
  b.insert(b.end(), h.begin(), h.end());
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

template <typename T>
std::vector<uint8_t> raw(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST(DataNpy, ReadsNumpyWrittenHeadersOfEverySupportedType) {
  Tensor f4 = parse_npy(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", raw<float>({1, 2, 3, 4, 5, 6})), "f4");
  EXPECT_EQ(f4.shape(), (Shape{2, 3}));
  EXPECT_FLOAT_EQ(f4.f32()[5], 6.f);
  Tensor f8 = parse_npy(npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", raw<double>({0.25, -8})), "f8");
  EXPECT_EQ(f8.dtype(), DType::f32);
  EXPECT_FLOAT_EQ(f8.f32()[1], -8.f);
  Tensor i8 = parse_npy(npy_v1("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", raw<int64_t>({-5})), "i8");
  EXPECT_EQ(i8.data<int64_t>()[0], -5);
  Tensor i4 = parse_npy(npy_v1("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }", raw<int32_t>({77}), 2), "i4");
  EXPECT_EQ(i4.data<int32_t>()[0], 77);
  Tensor u1 = parse_npy(npy_v1("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", {1, 2, 250}), "u1");
  EXPECT_EQ(u1.data<uint8_t>()[2], 250);
  Tensor s1 = parse_npy(npy_v1("{'descr': '|i1', 'fortran_order': False, 'shape': (), }", {0xFF}), "i1");
  EXPECT_EQ(s1.rank(), 0);
  EXPECT_EQ(s1.data<int8_t>()[0], -1);
}

TEST(DataNpy, WriterRoundTripsEveryDtypeThroughAFile) {
  TempDir dir;
  Tensor f = Tensor::from_vector({2, 2, 1}, {1.5f, -2.f, 3.25f, 1e-7f});
  write_npy(dir.file("f.npy"), f);
  Tensor back = read_npy(dir.file("f.npy"));
  EXPECT_EQ(back.shape(), f.shape());
  EXPECT_EQ(max_abs_diff(back, f), 0.f);
  // The data of a written file starts at a 64-byte boundary, like NumPy's.
  std::vector<uint8_t> bytes = serialize_npy(f);
  EXPECT_EQ((bytes.size() - f.nbytes()) % 64, 0u);

  Tensor l = Tensor::from_vector_i64({3}, {0, 9, -1});
  Tensor lb = parse_npy(serialize_npy(l), "l");
  EXPECT_EQ(lb.dtype(), DType::i64);
  EXPECT_EQ(lb.data<int64_t>()[2], -1);
  for (DType t : {DType::i32, DType::u8, DType::i8, DType::f16}) {
    Tensor z = Tensor::zeros(t, {4});
    Tensor zb = parse_npy(serialize_npy(z), "z");
    EXPECT_EQ(zb.dtype(), t);
    EXPECT_EQ(zb.shape(), (Shape{4}));
  }
  EXPECT_THROW(serialize_npy(Tensor::zeros(DType::bf16, {1})), Error);
}

TEST(DataNpy, RejectsUnsupportedAndBrokenFiles) {
  const auto payload = raw<float>({1, 2});
  EXPECT_NE(error_of([&] { parse_npy({1, 2, 3}, "x.npy"); }).find("not a .npy"), std::string::npos);
  const std::string be = error_of([&] { parse_npy(npy_v1("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", payload), "be.npy"); });
  EXPECT_NE(be.find("unsupported dtype '>f4'"), std::string::npos) << be;
  EXPECT_NE(error_of([&] { parse_npy(npy_v1("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", payload), "c"); })
                .find("unsupported dtype"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_npy(npy_v1("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", payload), "f"); })
                .find("Fortran"),
            std::string::npos);
  const std::string cut = error_of([&] { parse_npy(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", payload), "cut.npy"); });
  EXPECT_NE(cut.find("truncated data"), std::string::npos) << cut;
  EXPECT_NE(error_of([&] { parse_npy(npy_v1("{'descr': '<f4', 'shape': (2,), }", payload), "k"); }).find("fortran_order"),
            std::string::npos);
  EXPECT_THROW(parse_npy(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", payload), "s"), Error);
  EXPECT_THROW(parse_npy(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", payload, 4), "v"), Error);
  EXPECT_THROW(read_npy("/nonexistent/prunq/file.npy"), Error);
}

}  // namespace
}  // namespace prunq
