// The commands doing real work, end to end through the binary: train writes a model and its
// metrics, inspect/eval --json are valid JSON with consistent figures, run writes outputs that
// match the library's executor, import/export round-trip through ONNX.
#include <gtest/gtest.h>

#include <cmath>

#include "cli/cli_fixture.h"
#include "io/json/json_file.h"
#include "graph/builder.h"
#include "io/data/npy.h"
#include "io/native/model_file.h"
#include "runtime/executor.h"

namespace prunq::testing {
namespace {

using CliModel = CliWithData;

Tensor random_images(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> d(0.f, 1.f);
  Tensor t(DType::f32, {n, 1, 28, 28});
  for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = d(rng);
  return t;
}

TEST_F(CliModel, TrainWritesModelAndMetrics) {
  const std::string model = dir / "mlp.prunq", metrics = dir / "metrics.json";
  CliResult r = run({"train", "--arch", "mlp", "--data", data_dir, "--limit", "512", "--epochs", "2", "-o", model,
                     "--metrics", metrics, "--val-split", "100", "--seed", "3", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("saved " + model), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("epoch 2/2: train loss"), std::string::npos) << r.err;
  Json m = Json::parse(read_text(metrics));
  EXPECT_EQ(m["arch"].get<std::string>(), "mlp");
  EXPECT_EQ(m["train_samples"], 412);  // 512 minus the 100 held out
  ASSERT_EQ(m["epochs"].size(), 2u);
  EXPECT_EQ(m["epochs"][1]["validation"]["samples"], 100);
  EXPECT_EQ(m["test"]["samples"], 200);
  // The synthetic classes are trivially separable: two epochs must learn them well.
  EXPECT_GT(m["test"]["accuracy"], 0.8);
  EXPECT_LT(m["epochs"][1]["train_loss"], m["epochs"][0]["train_loss"]);

  // The model loads with the library and takes raw pixels (normalisation is inside it).
  Graph g = load_model(model);
  EXPECT_EQ(g.value(g.inputs()[0]).name, "input");
  EXPECT_NE(g.find_value("input_norm.mean"), kNoValue);
}

TEST_F(CliModel, InspectJsonIsConsistent) {
  const std::string model = train_tiny_model();
  CliResult r = run({"inspect", model, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j["inputs"].size(), 1u);
  EXPECT_EQ(j["inputs"][0]["name"].get<std::string>(), "input");
  EXPECT_EQ(j["outputs"][0]["shape"][1], 10);
  double params = 0, macs = 0;
  bool saw_gemm = false;
  for (const Json& layer : j["layers"]) {
    for (const char* k : {"op", "name", "output_shape", "params", "macs", "bytes"}) EXPECT_TRUE(layer.contains(k)) << k;
    params += layer["params"].get<double>();
    macs += layer["macs"].get<double>();
    saw_gemm = saw_gemm || layer["op"] == "Gemm";
  }
  EXPECT_TRUE(saw_gemm);
  EXPECT_EQ(j["totals"]["params"], params);
  EXPECT_EQ(j["totals"]["macs"], macs);
  // MLP 784-256-128-10: weights + biases, plus the two normalisation constants.
  EXPECT_EQ(params, 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10 + 2);
  EXPECT_EQ(macs, 784 * 256 + 256 * 128 + 128 * 10);

  // --batch scales MACs; the text form shows the same totals.
  Json j8 = Json::parse(run({"inspect", model, "--json", "--batch", "8"}).out);
  EXPECT_EQ(j8["totals"]["macs"], 8 * macs);
  // Integers are decimal: "010" is ten, not octal eight.
  Json j10 = Json::parse(run({"inspect", model, "--json", "--batch", "010"}).out);
  EXPECT_EQ(j10["totals"]["macs"], 10 * macs);
  CliResult text = run({"inspect", model});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("fc1"), std::string::npos) << text.out;
}

TEST_F(CliModel, EvalJson) {
  const std::string model = train_tiny_model();
  CliResult r = run({"eval", model, "--data", data_dir, "--json", "--limit", "150"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["samples"], 150);
  EXPECT_GE(j["accuracy"], 0.0);
  EXPECT_LE(j["accuracy"], 1.0);
  EXPECT_TRUE(std::isfinite(j["loss"].get<double>()) && j["loss"] > 0);

  CliResult text = run({"eval", model, "--data", data_dir, "--split", "train", "--no-progress"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("samples 600"), std::string::npos) << text.out;
}

TEST_F(CliModel, RunWritesOutputsMatchingTheExecutor) {
  const std::string model = train_tiny_model();
  const Tensor x = random_images(3, 7);
  write_npy(dir / "x.npy", x);

  Graph g = load_model(model);
  Executor exec(g);
  const Tensor expected = exec.run({x})[0];

  // Named and positional forms give the same result; an --input before MODEL takes one value.
  {
    CliResult r = run({"run", "--input", dir / "x.npy", model, "--output-dir", dir / "out_first"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(max_abs_diff(read_npy(dir / "out_first/logits.npy"), expected), 0.0f);
  }
  for (const std::string& spec : std::vector<std::string>{"input=" + (dir / "x.npy"), dir / "x.npy"}) {
    const std::string out = dir / "out";
    std::filesystem::remove_all(out);
    CliResult r = run({"run", model, "--input", spec, "--output-dir", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Tensor y = read_npy(out + "/logits.npy");
    ASSERT_EQ(y.shape(), (Shape{3, 10}));
    EXPECT_EQ(max_abs_diff(y, expected), 0.0f);
  }
}

TEST_F(CliModel, RunOutputFileNamesStayInsideTheFolder) {
  // Two outputs whose names would be paths ("a/b", ".."): written as safe file names in DIR.
  GraphBuilder b("two_outputs");
  ValueId x = b.input("x", DType::f32, {-1, 3});
  b.output(b.relu(x), "a/b");
  b.output(b.op1("Neg", {x}), "..");
  save_model(b.finish(), dir / "two.prunq");
  write_npy(dir / "x.npy", Tensor::from_vector({1, 3}, {-1.f, 0.5f, 2.f}));
  CliResult r = run({"run", dir / "two.prunq", "--input", dir / "x.npy", "--output-dir", dir / "out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(max_abs_diff(read_npy(dir / "out/a_b.npy"), Tensor::from_vector({1, 3}, {0.f, 0.5f, 2.f})), 0.f);
  EXPECT_EQ(max_abs_diff(read_npy(dir / "out/output...npy"), Tensor::from_vector({1, 3}, {1.f, -0.5f, -2.f})), 0.f);
  EXPECT_FALSE(std::filesystem::exists(dir / "out/a"));
}

TEST_F(CliModel, OnnxImportExportRoundTrip) {
  if (!onnx_built()) GTEST_SKIP() << "this prunq was built without ONNX support";
  const std::string model = train_tiny_model();
  const std::string onnx = dir / "mlp.onnx", back = dir / "back.prunq";
  CliResult r = run({"export", model, "-o", onnx});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run({"import", onnx, "-o", back});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // All three files give the same outputs, and inspect/eval accept the .onnx directly.
  write_npy(dir / "x.npy", random_images(2, 11));
  std::vector<Tensor> outs;
  for (const std::string& m : {model, onnx, back}) {
    const std::string out = dir / ("out_" + std::to_string(outs.size()));
    r = run({"run", m, "--input", dir / "x.npy", "--output-dir", out});
    ASSERT_EQ(r.exit_code, 0) << m << ": " << r.err;
    outs.push_back(read_npy(out + "/logits.npy"));
  }
  EXPECT_LE(max_abs_diff(outs[0], outs[1]), 1e-5f);
  EXPECT_LE(max_abs_diff(outs[0], outs[2]), 1e-5f);

  Json native = Json::parse(run({"inspect", model, "--json"}).out);
  Json via_onnx = Json::parse(run({"inspect", onnx, "--json"}).out);
  EXPECT_EQ(native["totals"]["params"], via_onnx["totals"]["params"]);
  Json e1 = Json::parse(run({"eval", model, "--data", data_dir, "--json"}).out);
  Json e2 = Json::parse(run({"eval", onnx, "--data", data_dir, "--json"}).out);
  EXPECT_NEAR(e1["accuracy"], e2["accuracy"], 1e-9);
}

TEST_F(CliModel, TrainSavesOnnxAndFineTunesFromIt) {
  if (!onnx_built()) GTEST_SKIP() << "this prunq was built without ONNX support";
  const std::string onnx = train_tiny_model("tiny.onnx");
  const std::string tuned = dir / "tuned.prunq";
  CliResult r = run({"train", "--from", onnx, "--data", data_dir, "--limit", "256", "--epochs", "1", "-o", tuned,
                     "--optimizer", "sgd", "--lr", "0.01", "--no-progress", "--metrics", dir / "m.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(tuned));
  EXPECT_EQ(Json::parse(read_text(dir / "m.json"))["arch"].get<std::string>(), "tiny");  // named after the file's stem

  // --arch next to --from only names the run; the weights come from the file, so the tuned
  // model starts where the ONNX one ended (not from a fresh initialisation).
  const std::string again = dir / "again.prunq";
  r = run({"train", "--from", onnx, "--arch", "mlp", "--data", data_dir, "--epochs", "0", "-o", again,
           "--no-progress", "--metrics", dir / "m2.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(read_text(dir / "m2.json"))["arch"].get<std::string>(), "mlp");
  Json before = Json::parse(run({"eval", onnx, "--data", data_dir, "--json"}).out);
  Json after = Json::parse(run({"eval", again, "--data", data_dir, "--json"}).out);
  EXPECT_NEAR(before["accuracy"], after["accuracy"], 1e-9);
}

}  // namespace
}  // namespace prunq::testing
