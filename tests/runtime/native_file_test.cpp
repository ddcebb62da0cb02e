// Native model file: CRC-32, bit-exact round trips (every dtype, attribute kind, mask, omitted
// input), same executor outputs after reloading, atomic saves, and every kind of damaged file
// (truncated at every offset, every byte flipped, wrong magic/version/flags, corrupt content
// behind a valid checksum) rejected with a prunq::Error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/native/crc32.h"
#include "io/native/model_file.h"
#include "runtime/executor.h"
#include "runtime/graph_helpers.h"

namespace prunq {
namespace {
using testing::random_f32;

TEST(Crc32, KnownCheckValueAndChaining) {
  const char* s = "123456789";
  EXPECT_EQ(crc32(s, 9), 0xCBF43926u);
  EXPECT_EQ(crc32(s + 4, 5, crc32(s, 4)), 0xCBF43926u);
  EXPECT_EQ(crc32(s, 0), 0u);
}

// A small CNN exercising conv, BN, Clip with an omitted input, Gemm, Flatten; plus initializers
// of every dtype, a mask, and one node carrying every attribute kind.
Graph rich_graph() {
  GraphBuilder b("rich model", 5);
  ValueId x = b.input("x", DType::f32, {-1, 2, 6, 6});
  ValueId h = b.conv2d(x, 2, 4, 3, 1, 1, 1, true, "conv");
  h = b.batchnorm(h, 4, "bn");
  ValueId hi = b.constant("clip.max", Tensor::scalar(1.5f));
  h = b.op1("Clip", {h, kNoValue, hi}, {}, "clip");
  h = b.maxpool(h, 2, 2, "pool");
  h = b.flatten(h);
  Attributes every_kind;
  every_kind.set("an_int", int64_t{-7});
  every_kind.set("a_float", 0.25f);
  every_kind.set("a_string", std::string("hello \0 world", 13));
  every_kind.set("ints", std::vector<int64_t>{1, -2, 1LL << 40});
  every_kind.set("floats", std::vector<float>{1.5f, -0.f, 3e-38f});
  every_kind.set("empty_ints", std::vector<int64_t>{});
  every_kind.set("a_tensor", random_f32({2, 3}, 77));
  h = b.op1("Identity", {h}, every_kind, "carrier");
  b.output(b.linear(h, 36, 3, true, "fc"), "logits");
  const DType all[] = {DType::f16, DType::bf16, DType::i8, DType::u8, DType::i32, DType::i64};
  for (DType t : all) {
    Tensor v(t, {3, 5});
    for (size_t i = 0; i < v.nbytes(); ++i) static_cast<uint8_t*>(v.raw())[i] = static_cast<uint8_t>(i * 37 + 11);
    b.constant("blob_" + std::string(dtype_name(t)), v);
  }
  b.constant("empty", Tensor(DType::f32, {0, 4}));
  Graph g = b.finish();
  g.nodes().back().domain = "prunq";  // domain survives too
  Tensor mask = Tensor::full({3, 36}, 1.f);
  for (int64_t i = 0; i < mask.numel(); i += 3) mask.f32()[i] = 0.f;
  g.initializer("fc.weight").mask = mask;
  return g;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

void expect_same_graph(const Graph& a, const Graph& b) {
  EXPECT_EQ(a.name, b.name);
  ASSERT_EQ(a.num_values(), b.num_values());
  for (ValueId v = 0; v < a.num_values(); ++v) {
    EXPECT_EQ(a.value(v).name, b.value(v).name);
    EXPECT_EQ(a.value(v).type.str(), b.value(v).type.str()) << a.value(v).name;
  }
  EXPECT_EQ(a.inputs(), b.inputs());
  EXPECT_EQ(a.outputs(), b.outputs());
  ASSERT_EQ(a.nodes().size(), b.nodes().size());
  for (size_t i = 0; i < a.nodes().size(); ++i) {
    const Node &x = a.nodes()[i], &y = b.nodes()[i];
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.domain, y.domain);
    EXPECT_EQ(x.inputs, y.inputs) << x.name;
    EXPECT_EQ(x.outputs, y.outputs) << x.name;
    EXPECT_TRUE(x.attrs == y.attrs) << x.name;
  }
  ASSERT_EQ(a.initializers().size(), b.initializers().size());
  for (const auto& [v, init] : a.initializers()) {
    const Initializer* other = b.initializer(v);
    ASSERT_NE(other, nullptr) << a.value(v).name;
    EXPECT_TRUE(same_bytes(init.data, other->data)) << a.value(v).name;
    EXPECT_EQ(init.trainable, other->trainable) << a.value(v).name;
    EXPECT_EQ(init.mask.defined(), other->mask.defined()) << a.value(v).name;
    if (init.mask.defined()) {
      EXPECT_TRUE(same_bytes(init.mask, other->mask));
    }
  }
}

TEST(NativeFile, RoundTripIsBitExactAndRunsTheSame) {
  Graph g = rich_graph();
  std::vector<uint8_t> bytes = serialize_model(g);
  Graph back = deserialize_model(bytes.data(), bytes.size());
  expect_same_graph(g, back);
  EXPECT_EQ(serialize_model(back), bytes);  // deterministic

  Tensor x = random_f32({2, 2, 6, 6}, 3);
  Executor ea(g), eb(back);
  EXPECT_EQ(max_abs_diff(ea.run({x})[0], eb.run({x})[0]), 0.f);
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() / ("prunq_native_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  size_t entries() const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(path_), {}));
  }

 private:
  std::filesystem::path path_;
};

TEST(NativeFile, SaveAndLoadThroughAFileAtomically) {
  TempDir dir;
  std::string path = dir.file("m.prunq");
  Graph g = rich_graph();
  save_model(g, path);
  expect_same_graph(g, load_model(path));
  // Overwriting replaces the file whole and leaves no temporary behind.
  g.initializer("fc.bias").data.f32()[0] = 42.f;
  save_model(g, path);
  EXPECT_EQ(load_model(path).initializer("fc.bias").data.f32()[0], 42.f);
  EXPECT_EQ(dir.entries(), 1u);
  // Errors name the file.
  try {
    load_model(dir.file("missing.prunq"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.prunq"), std::string::npos) << e.what();
  }
  EXPECT_THROW(save_model(g, dir.file("no_such_dir/m.prunq")), Error);
  EXPECT_EQ(dir.entries(), 1u);
}

std::string load_error(const std::vector<uint8_t>& bytes, const std::string& source = "model.prunq") {
  try {
    deserialize_model(bytes.data(), bytes.size(), source);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void refresh_crc(std::vector<uint8_t>& bytes) {
  uint32_t c = crc32(bytes.data(), bytes.size() - 4);
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + static_cast<size_t>(i)] = static_cast<uint8_t>(c >> (8 * i));
}

Graph tiny_graph() {
  GraphBuilder b("t", 1);
  ValueId x = b.input("x", DType::f32, {-1, 3});
  b.output(b.relu(b.linear(x, 3, 2, true, "fc")));
  return b.finish();
}

TEST(NativeFile, EveryTruncationIsAnError) {
  std::vector<uint8_t> bytes = serialize_model(tiny_graph());
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    std::string m = load_error(cut);
    EXPECT_NE(m.find("model.prunq"), std::string::npos) << "truncated to " << n << ": '" << m << "'";
  }
  bytes.push_back(0);
  EXPECT_NE(load_error(bytes).find("truncated or padded"), std::string::npos);
}

TEST(NativeFile, EveryFlippedByteIsAnError) {
  std::vector<uint8_t> bytes = serialize_model(tiny_graph());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= 0x5A;
    EXPECT_NE(load_error(bad), "") << "byte " << i;
  }
}

TEST(NativeFile, HeaderProblemsHaveClearMessages) {
  std::vector<uint8_t> bytes = serialize_model(tiny_graph());
  std::vector<uint8_t> bad = bytes;
  bad[0] = 'X';
  EXPECT_NE(load_error(bad).find("bad magic"), std::string::npos);
  bad = bytes;
  bad[8] = static_cast<uint8_t>(kModelFormatVersion + 1);
  refresh_crc(bad);
  std::string m = load_error(bad);
  EXPECT_NE(m.find("format version 2 is not supported"), std::string::npos) << m;
  bad = bytes;
  bad[12] = 1;
  EXPECT_NE(load_error(bad).find("flags"), std::string::npos);
  bad = bytes;
  bad[30] ^= 1;
  EXPECT_NE(load_error(bad).find("checksum mismatch"), std::string::npos);
  EXPECT_NE(load_error({}).find("not a prunq model file"), std::string::npos);
}

// Corruptions behind a valid checksum reach the payload parser, which must name them.
TEST(NativeFile, CorruptContentBehindAValidChecksum) {
  Graph g;
  g.name = "g";  // payload: str "g" (5 bytes) at 24, n_values at 29, first value name at 33
  ValueId x = g.add_input("x", TensorType{DType::f32, {2}, true});
  ValueId y = g.add_value("y", TensorType{DType::f32, {2}, true});
  g.add_node(Node{"Relu", "r", "", {x}, {y}, {}});
  g.add_output(y);
  std::vector<uint8_t> bytes = serialize_model(g);
  auto patched = [&](size_t at, std::vector<uint8_t> with) {
    std::vector<uint8_t> b = bytes;
    std::copy(with.begin(), with.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
    refresh_crc(b);
    return load_error(b);
  };
  // value "x": name at 33 (4 + 1 bytes), dtype at 38, rank flag 39, rank 40, dims 44.
  EXPECT_NE(patched(29, {0xFF, 0xFF, 0xFF, 0xFF}).find("value count is 4294967295"), std::string::npos);
  EXPECT_NE(patched(38, {99}).find("unknown dtype code 99"), std::string::npos);
  EXPECT_NE(patched(39, {7}).find("bad rank flag"), std::string::npos);
  EXPECT_NE(patched(40, {200}).find("bad rank 200"), std::string::npos);
  EXPECT_NE(patched(44, {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}).find("bad dimension -2"),
            std::string::npos);
  // value "y" follows (5 + 1 + 1 + 4 + 8 = 19 bytes at 52); inputs list at 71: count, id.
  EXPECT_NE(patched(75, {9, 0, 0, 0}).find("refers to value id 9, but the graph has 2 values"), std::string::npos);
  EXPECT_NE(patched(33 + 4, {'y'}).find("'y' is empty or used twice"), std::string::npos);
}

// Random byte changes behind a valid checksum: loading either fails with an Error or yields a
// graph; it never crashes or reads out of bounds (run this under the ASan build too).
TEST(NativeFile, RandomCorruptionNeverCrashes) {
  std::vector<uint8_t> bytes = serialize_model(rich_graph());
  std::mt19937_64 rng(1234);
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> bad = bytes;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = 24 + rng() % (bad.size() - 28);
      bad[at] = (rng() % 2) ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>(0xFF);
    }
    refresh_crc(bad);
    try {
      Graph g = deserialize_model(bad.data(), bad.size(), "fuzz");
      // A file that parses is still checked before anything runs it.
      try {
        Executor ex(g);
      } catch (const Error&) {
      }
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000);
}

TEST(NativeFile, ReservedEncodingIsRefusedByName) {
  Graph g;
  g.name = "g";
  ValueId w = g.add_initializer("w", Tensor::full({2}, 1.f), true);
  g.add_output(w);
  std::vector<uint8_t> bytes = serialize_model(g);
  // The only tensor record starts right after its initializer id and flags: find the encoding byte
  // as the byte after the flags, i.e. 5 bytes after the initializer count near the record.
  const std::vector<uint8_t> needle{1, 0, 0, 0, 0, 0, 0, 0, 1};  // count 1, id 0, flags trainable
  auto it = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
  ASSERT_NE(it, bytes.end());
  size_t enc = static_cast<size_t>(it - bytes.begin()) + needle.size();
  ASSERT_EQ(bytes[enc], 0);  // dense
  bytes[enc] = static_cast<uint8_t>(TensorEncoding::csr);
  refresh_crc(bytes);
  std::string m = load_error(bytes);
  EXPECT_NE(m.find("initializer 'w' uses tensor encoding 1 (csr), which this build cannot read"), std::string::npos)
      << m;
}

TEST(NativeFile, TensorDataIsAlignedInTheFile) {
  std::vector<uint8_t> bytes = serialize_model(rich_graph());
  Graph g = rich_graph();
  // The fc weight's bytes appear at a 64-byte file offset.
  const Tensor& w = g.initializer("fc.weight").data;
  const uint8_t* raw = static_cast<const uint8_t*>(w.raw());
  auto it = std::search(bytes.begin(), bytes.end(), raw, raw + w.nbytes());
  ASSERT_NE(it, bytes.end());
  EXPECT_EQ(static_cast<size_t>(it - bytes.begin()) % 64, 0u);
}

}  // namespace
}  // namespace prunq
