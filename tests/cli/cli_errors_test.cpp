// Bad input that is not a usage mistake: a wrong architecture, a missing dataset, missing or
// corrupt model files, wrong input tensors. Each must be ONE clear line on stderr
// ("prunq: error: ...") naming the culprit, a non-zero exit code, and never a crash.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

#include "cli/cli_fixture.h"
#include "io/data/npy.h"

namespace prunq::testing {
namespace {

// One line, prefixed, exit code 1 (runtime error), mentioning every given fragment.
void expect_one_line_error(const CliResult& r, const std::vector<std::string>& fragments) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::vector<std::string> lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << "expected a one-line error, got:\n" << r.err;
  EXPECT_EQ(lines[0].rfind("prunq: error: ", 0), 0u) << lines[0];
  for (const std::string& f : fragments) EXPECT_NE(lines[0].find(f), std::string::npos) << "'" << f << "' not in: " << lines[0];
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

using CliErrors = CliWithData;

TEST_F(CliErrors, WrongArchListsKnownOnes) {
  CliResult r = run({"train", "--arch", "resnet999", "--data", data_dir});
  EXPECT_EQ(r.exit_code, 2);
  std::vector<std::string> lines = r.err_lines();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].rfind("prunq: error: unknown --arch 'resnet999'; known architectures: ", 0), 0u) << lines[0];
  for (const char* arch : {"mlp", "lenet5", "fmnist-cnn", "mobilenet-tiny", "resnet8"})
    EXPECT_NE(lines[0].find(arch), std::string::npos) << arch;
}

TEST_F(CliErrors, MissingDatasetNamesThePath) {
  const std::string missing = dir / "no-such-dataset";
  expect_one_line_error(run({"train", "--arch", "mlp", "--data", missing, "-o", dir / "m.prunq"}), {missing});
  EXPECT_FALSE(std::filesystem::exists(dir / "m.prunq"));
  const std::string model = train_tiny_model();
  expect_one_line_error(run({"eval", model, "--data", missing}), {missing});
}

TEST_F(CliErrors, OutputFolderIsCheckedBeforeTraining) {
  const std::string out = dir / "no-such-folder/m.prunq";
  expect_one_line_error(run({"train", "--arch", "mlp", "--data", data_dir, "-o", out}), {"no-such-folder"});
  expect_one_line_error(run({"train", "--arch", "mlp", "--data", data_dir, "-o", dir / "m.txt"}),
                        {"m.txt", "unknown format"});
  expect_one_line_error(
      run({"train", "--arch", "mlp", "--data", data_dir, "-o", dir / "m.prunq", "--metrics", dir / "nope/m.json"}),
      {"nope"});
  EXPECT_FALSE(std::filesystem::exists(dir / "m.prunq")) << "the check must come before training";
}

TEST_F(CliErrors, MissingModelFile) {
  const std::string missing = dir / "absent.prunq";
  for (const std::string cmd : {"inspect", "export"}) {
    std::vector<std::string> args = {cmd, missing};
    if (cmd == "export") args.insert(args.end(), {"-o", dir / "x.onnx"});
    expect_one_line_error(run(args), {missing, "does not exist"});
  }
  expect_one_line_error(run({"eval", missing, "--data", data_dir}), {missing});
  expect_one_line_error(run({"inspect", dir / "model.bin"}), {"model.bin", "unknown format"});
}

TEST_F(CliErrors, CorruptModelFiles) {
  const std::string garbage = dir / "garbage.prunq";
  write_bytes(garbage, std::string(100, 'x'));
  expect_one_line_error(run({"inspect", garbage}), {garbage});
  expect_one_line_error(run({"eval", garbage, "--data", data_dir}), {garbage});
  expect_one_line_error(run({"run", garbage, "--input", "x.npy", "--output-dir", dir / "o"}), {garbage});

  // A real model cut in half, and one with a flipped byte in the middle.
  const std::string model = train_tiny_model();
  const std::string bytes = read_text(model);
  const std::string truncated = dir / "truncated.prunq", flipped = dir / "flipped.prunq";
  write_bytes(truncated, bytes.substr(0, bytes.size() / 2));
  std::string f = bytes;
  f[f.size() / 2] = char(f[f.size() / 2] ^ 0x5a);
  write_bytes(flipped, f);
  expect_one_line_error(run({"inspect", truncated}), {truncated});
  expect_one_line_error(run({"inspect", flipped}), {flipped});
  expect_one_line_error(run({"export", truncated, "-o", dir / "t.onnx"}), {truncated});

  if (onnx_built()) {
    const std::string bad_onnx = dir / "garbage.onnx";
    write_bytes(bad_onnx, "this is not a protobuf \x01\x02\x03");
    expect_one_line_error(run({"inspect", bad_onnx}), {bad_onnx});
    expect_one_line_error(run({"import", bad_onnx, "-o", dir / "g.prunq"}), {bad_onnx});
    EXPECT_FALSE(std::filesystem::exists(dir / "g.prunq"));
  }
}

TEST_F(CliErrors, DevicesAndFifosAreRefusedNotRead) {
  // Reading /dev/zero or a FIFO would never end or block forever: they must be refused up front.
  for (const std::string name : {"zero.prunq", "zero.onnx", "zero.npy"})
    std::filesystem::create_symlink("/dev/zero", dir / name);
  ASSERT_EQ(mkfifo((dir / "fifo.prunq").c_str(), 0600), 0);
  expect_one_line_error(run({"inspect", dir / "zero.prunq"}), {"zero.prunq", "not a regular file"});
  expect_one_line_error(run({"inspect", dir / "zero.onnx"}), {"zero.onnx", "not a regular file"});
  expect_one_line_error(run({"inspect", dir / "fifo.prunq"}), {"fifo.prunq", "not a regular file"});
  const std::string model = train_tiny_model();
  expect_one_line_error(run({"run", model, "--input", dir / "zero.npy", "--output-dir", dir / "o"}),
                        {"zero.npy", "not a regular file"});
}

TEST_F(CliErrors, WrongInputShapeNamesInputAndShapes) {
  const std::string model = train_tiny_model();
  const std::string x = dir / "x.npy";
  write_npy(x, Tensor::zeros(DType::f32, {2, 1, 27, 28}));
  expect_one_line_error(run({"run", model, "--input", "input=" + x, "--output-dir", dir / "out"}),
                        {"input", "[2, 1, 27, 28]"});
  EXPECT_FALSE(std::filesystem::exists(dir / "out/logits.npy"));
}

TEST_F(CliErrors, BadInputFiles) {
  const std::string model = train_tiny_model();
  const std::string out = dir / "out";
  expect_one_line_error(run({"run", model, "--input", dir / "absent.npy", "--output-dir", out}), {"absent.npy"});
  const std::string bad = dir / "bad.npy";
  write_bytes(bad, "\x93NUMPY garbage");
  expect_one_line_error(run({"run", model, "--input", bad, "--output-dir", out}), {"bad.npy"});
  expect_one_line_error(run({"run", model, "--input", dir / "x.csv", "--output-dir", out}), {"x.csv"});

  // Too many, too few and empty inputs are usage mistakes.
  for (const std::string spec : {"", "input="}) {
    CliResult r = run({"run", model, "--input", spec, "--output-dir", out});
    EXPECT_EQ(r.exit_code, 2) << spec;
    EXPECT_NE(r.err.find("--input '" + spec + "' names no file"), std::string::npos) << r.err;
  }
  const std::string x = dir / "x.npy";
  write_npy(x, Tensor::zeros(DType::f32, {1, 1, 28, 28}));
  CliResult r = run({"run", model, "--input", x, "--input", x, "--output-dir", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("too many inputs"), std::string::npos) << r.err;
  r = run({"run", model, "--output-dir", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing input 'input'"), std::string::npos) << r.err;
}

TEST_F(CliErrors, DatasetThatDoesNotFitTheModel) {
  const std::string model = train_tiny_model();
  // 14x14 images into a 28x28 model.
  const std::string small = dir / "small";
  std::filesystem::create_directories(small);
  {
    std::ofstream images(small + "/t10k-images-idx3-ubyte", std::ios::binary);
    std::ofstream labels(small + "/t10k-labels-idx1-ubyte", std::ios::binary);
    write_be32(images, 0x803);
    write_be32(images, 4);
    write_be32(images, 14);
    write_be32(images, 14);
    images << std::string(4 * 14 * 14, '\0');
    write_be32(labels, 0x801);
    write_be32(labels, 4);
    labels << std::string(4, '\1');
  }
  expect_one_line_error(run({"eval", model, "--data", small, "--no-progress"}), {"[1, 14, 14]"});
}

}  // namespace
}  // namespace prunq::testing
