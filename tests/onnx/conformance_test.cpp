// ONNX's own backend node tests (libonnx-testdata) run through prunq: import model.onnx, run
// every test_data_set_*, compare with ONNX's tolerances (rtol 1e-3, atol 1e-7); then the same
// after exporting prunq's graph to ONNX and importing that. One test per
// supported ONNX op runs every case of that op and prints PASS/FAIL/SKIP per case. A case is
// this op's when its name starts with test_<op> (longest match), else by its last node.
// Cases that use any op the importer does not support are not ours to run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "io/onnx/file_io.h"
#include "io/onnx/onnx_import.h"
#include "io/onnx/onnx_io.h"
#include "io/onnx/tensor_proto.h"
#include "runtime/executor.h"

namespace prunq::testing {
namespace {

namespace fs = std::filesystem;
const char* const kNodeTestDir = "/usr/share/libonnx-testdata/data/node";

const char* const kCastLikeShape =
    "the test data feeds the 'like' input as [1] while the model declares [3, 4]; prunq checks input shapes";

// THE skip list: every supported op's case that prunq does not pass, with the reason.
const std::map<std::string, std::string>& skip_list() {
  static const std::map<std::string, std::string> skips = {
      {"test_identity_opt", "optional-typed values (Optional/Sequence types) are not tensors; prunq IR is tensors only"},
      {"test_identity_sequence", "sequence-typed values are not tensors; prunq IR is tensors only"},
      {"test_batchnorm_epsilon_training_mode", "BatchNormalization training_mode=1 (batch statistics outputs) is "
                                               "not imported: models are imported in inference form"},
      {"test_batchnorm_example_training_mode", "BatchNormalization training_mode=1 (batch statistics outputs) is "
                                               "not imported: models are imported in inference form"},
      {"test_averagepool_3d_default", "3-D pooling: prunq's AveragePool supports 1-D and 2-D windows"},
      {"test_maxpool_3d_default", "3-D pooling: prunq's MaxPool supports 1-D and 2-D windows"},
      {"test_max_float16", "Max computes f32 only"},
      {"test_min_float16", "Min computes f32 only"},
      {"test_pow_types_float", "integer Pow: prunq's Pow computes f32 only"},
      {"test_pow_types_int32_float32", "integer Pow: prunq's Pow computes f32 only"},
      {"test_pow_types_int32_int32", "integer Pow: prunq's Pow computes f32 only"},
      {"test_pow_types_int64_float32", "integer Pow: prunq's Pow computes f32 only"},
      {"test_pow_types_int64_int64", "integer Pow: prunq's Pow computes f32 only"},
      {"test_cast_FLOAT_to_BFLOAT16", "ONNX 1.12's expected data truncates to bfloat16; prunq rounds to nearest "
                                       "even (the rounding ONNX 1.14+ specifies)"},
      {"test_castlike_BFLOAT16_to_FLOAT_expanded", kCastLikeShape},
      {"test_castlike_FLOAT_to_BFLOAT16_expanded", kCastLikeShape},
  };
  return skips;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

struct Case {
  std::string name, dir;
  std::string foreign_dtype;  // an input/output element type prunq has no dtype for, or ""
};

// The one rule-based skip: graph inputs/outputs of an element type prunq has no dtype for.
std::string foreign_dtype(const onnx::ModelProto& model) {
  auto check = [](const onnx::ValueInfoProto& vi) -> std::string {
    if (!vi.type().has_tensor_type()) return "";
    int t = vi.type().tensor_type().elem_type();
    try {
      onnx_io::dtype_from_onnx(t, vi.name());
    } catch (const Error&) {
      return onnx_io::onnx_type_name(t);
    }
    return "";
  };
  for (const auto& v : model.graph().input())
    if (std::string t = check(v); !t.empty()) return t;
  for (const auto& v : model.graph().output())
    if (std::string t = check(v); !t.empty()) return t;
  return "";
}

// Every node-test case whose ops are all supported, grouped by the op it tests.
const std::map<std::string, std::vector<Case>>& cases_by_op() {
  static const std::map<std::string, std::vector<Case>> by_op = [] {
    std::map<std::string, std::vector<Case>> m;
    if (!fs::exists(kNodeTestDir)) return m;
    std::vector<std::string> ops;
    for (const std::string& op : onnx_supported_ops()) ops.push_back(op);
    std::set<std::string> supported(ops.begin(), ops.end());
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(kNodeTestDir)) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& d : dirs) {
      if (!fs::exists(d / "model.onnx")) continue;
      onnx::ModelProto model;
      if (!model.ParseFromString(onnx_io::read_file_bytes((d / "model.onnx").string()))) continue;
      bool all_supported = model.graph().node_size() > 0;
      for (const auto& n : model.graph().node())
        all_supported &= (n.domain().empty() || n.domain() == "ai.onnx") && supported.count(n.op_type());
      if (!all_supported) continue;
      const std::string name = d.filename().string();
      std::string owner;
      for (const std::string& op : ops) {
        std::string prefix = "test_" + lower(op);
        bool match = name.compare(0, prefix.size(), prefix) == 0 &&
                     (name.size() == prefix.size() || name[prefix.size()] == '_');
        if (match && op.size() > owner.size()) owner = op;
      }
      if (owner.empty()) owner = model.graph().node(model.graph().node_size() - 1).op_type();
      m[owner].push_back({name, d.string(), foreign_dtype(model)});
    }
    return m;
  }();
  return by_op;
}

std::vector<std::string> ops_with_cases() {
  std::vector<std::string> v;
  for (const auto& [op, cases] : cases_by_op()) v.push_back(op);
  if (v.empty()) v.push_back("NoTestData");
  return v;
}

std::vector<std::string> sorted_files(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind(prefix, 0) == 0) files.push_back(e.path().string());
  // input_10.pb after input_9.pb
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return files;
}

// "" when `got` matches `want` within ONNX's tolerances, else what differs.
std::string compare(const Tensor& got_in, const Tensor& want_in) {
  if (got_in.dtype() != want_in.dtype() || got_in.shape() != want_in.shape())
    return "got " + got_in.desc() + ", expected " + want_in.desc();
  Tensor got = got_in.contiguous(), want = want_in.contiguous();
  if (want.dtype() == DType::bf16 || want.dtype() == DType::f16) {
    got = got.to(DType::f32);
    want = want.to(DType::f32);
  }
  if (want.dtype() != DType::f32)
    return std::memcmp(got.raw(), want.raw(), want.nbytes()) == 0 ? "" : "integer values differ";
  for (int64_t i = 0; i < want.numel(); ++i) {
    float a = got.f32()[i], b = want.f32()[i];
    bool ok = std::fabs(a - b) <= 1e-7f + 1e-3f * std::fabs(b) || (std::isnan(a) && std::isnan(b)) || a == b;
    if (!ok) return "element " + std::to_string(i) + ": got " + std::to_string(a) + ", expected " + std::to_string(b);
  }
  return "";
}

// ONNX's test data stores bfloat16 tensors as UINT16 (numpy has no bfloat16): same bits.
Tensor read_test_tensor(const std::string& path) {
  onnx::TensorProto proto;
  if (!proto.ParseFromString(onnx_io::read_file_bytes(path))) fail(path, ": not a TensorProto");
  if (proto.data_type() == onnx::TensorProto::UINT16) proto.set_data_type(onnx::TensorProto::BFLOAT16);
  return onnx_io::tensor_from_proto(proto, path);
}

// Runs every test_data_set_* of a case through `g`; "" when all outputs match.
std::string run_sets(const Graph& g, const Case& c) {
  Executor ex(g);
  int sets = 0;
  for (const std::string& set : sorted_files(c.dir, "test_data_set_")) {
    std::vector<Tensor> inputs, expected;
    for (const std::string& f : sorted_files(set, "input_")) inputs.push_back(read_test_tensor(f));
    for (const std::string& f : sorted_files(set, "output_")) expected.push_back(read_test_tensor(f));
    std::vector<Tensor> outputs = ex.run(inputs);
    if (outputs.size() != expected.size())
      return std::to_string(outputs.size()) + " outputs, expected " + std::to_string(expected.size());
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string diff = compare(outputs[i], expected[i]);
      if (!diff.empty()) return fs::path(set).filename().string() + " output " + std::to_string(i) + ": " + diff;
    }
    ++sets;
  }
  return sets ? "" : "no test_data_set_* directories";
}

// Runs one case, then exports prunq's graph (opset 17, onnx.checker-verified), re-imports it and
// runs the case again: every supported op is checked on the way out too. "" on success.
std::string run_case(const Case& c) {
  std::string stage = "import/run: ";
  try {
    Graph g = load_onnx((fs::path(c.dir) / "model.onnx").string());
    if (std::string why = run_sets(g, c); !why.empty()) return stage + why;
    stage = "export round trip: ";
    Graph back = load_onnx_bytes(export_onnx_bytes(g), c.name + " (prunq export)");
    if (std::string why = run_sets(back, c); !why.empty()) return stage + why;
    return "";
  } catch (const std::exception& e) {
    return stage + e.what();
  }
}

class OnnxConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxConformance, NodeTests) {
  if (!fs::exists(kNodeTestDir)) GTEST_SKIP() << kNodeTestDir << " missing (Debian package libonnx-testdata)";
  const std::string& op = GetParam();
  int passed = 0, skipped = 0;
  std::vector<std::string> failed;
  for (const Case& c : cases_by_op().at(op)) {
    if (!c.foreign_dtype.empty()) {
      ++skipped;
      std::printf("  SKIP %-50s element type %s: prunq has no such dtype\n", c.name.c_str(), c.foreign_dtype.c_str());
      continue;
    }
    auto skip = skip_list().find(c.name);
    std::string why = run_case(c);
    if (skip != skip_list().end()) {
      ++skipped;
      std::printf("  SKIP %-50s %s%s\n", c.name.c_str(), skip->second.c_str(),
                  why.empty() ? "  [note: passes now; remove it from the skip list]" : "");
    } else if (why.empty()) {
      ++passed;
      std::printf("  PASS %s\n", c.name.c_str());
    } else {
      failed.push_back(c.name + ": " + why);
      std::printf("  FAIL %-50s %s\n", c.name.c_str(), why.c_str());
    }
  }
  std::printf("%s: %d passed, %zu failed, %d skipped\n", op.c_str(), passed, failed.size(), skipped);
  for (const std::string& f : failed) ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(Node, OnnxConformance, ::testing::ValuesIn(ops_with_cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// A skip must name a real case of a supported op that the element-type rule does not already
// cover, so the list cannot go stale silently.
TEST(OnnxConformanceSkipList, NamesRealApplicableCases) {
  if (!fs::exists(kNodeTestDir)) GTEST_SKIP() << kNodeTestDir << " missing";
  std::set<std::string> applicable;
  for (const auto& [op, cases] : cases_by_op())
    for (const Case& c : cases) applicable.insert(c.name);
  std::set<std::string> foreign;
  for (const auto& [op, cases] : cases_by_op())
    for (const Case& c : cases)
      if (!c.foreign_dtype.empty()) foreign.insert(c.name);
  for (const auto& [name, reason] : skip_list()) {
    EXPECT_TRUE(applicable.count(name)) << name << " is not an applicable case";
    EXPECT_FALSE(foreign.count(name)) << name << " is already skipped by the element-type rule";
  }
}

}  // namespace
}  // namespace prunq::testing
