#include "io/data/idx_dataset.h"

#include <cstdlib>
#include <filesystem>

#include "io/data/idx.h"

namespace prunq {
namespace fs = std::filesystem;
namespace {

constexpr const char* kFashionMnistPackage = "dataset-fashion-mnist";
constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";

// "<dir>/<stem>" with ".gz" when only the compressed file exists; "" when neither does.
std::string find_with_optional_gz(const fs::path& dir, const std::string& stem) {
  for (const std::string& name : {stem + ".gz", stem}) {
    fs::path p = dir / name;
    if (fs::is_regular_file(p)) return p.string();
  }
  return "";
}

std::string file_prefix(const std::string& split) {
  if (split == "train") return "train";
  if (split == "test" || split == "t10k") return "t10k";
  fail("dataset split must be 'train' or 'test', got '", split, "'");
}

bool is_fashion_mnist_name(const std::string& s) {
  return s == "fashion-mnist" || s == "fashion_mnist" || s == "fmnist";
}

}  // namespace

std::string fashion_mnist_dir() {
  const char* env = std::getenv("PRUNQ_FASHION_MNIST_DIR");
  return env && *env ? env : kFashionMnistDefaultDir;
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path, int64_t num_classes) {
  Dataset d;
  d.num_classes = num_classes;
  d.images = idx_images_to_f32(read_idx(images_path), images_path);
  d.labels = idx_labels_to_i64(read_idx(labels_path), num_classes, labels_path);
  PRUNQ_CHECK(d.images.dim(0) == d.labels.dim(0), "IDX dataset: '", images_path, "' has ", d.images.dim(0),
              " images but '", labels_path, "' has ", d.labels.dim(0), " labels");
  return d;
}

Dataset load_idx_dataset(const std::string& name_or_path, const std::string& split, int64_t num_classes) {
  const std::string prefix = file_prefix(split);
  const bool debian = is_fashion_mnist_name(name_or_path);
  const fs::path dir = debian ? fs::path(fashion_mnist_dir()) : fs::path(name_or_path);

  // An explicit images file: labels live next to it under the matching name.
  if (!debian && fs::is_regular_file(dir)) {
    std::string images = dir.string();
    std::string labels = images;
    size_t at = labels.find("images-idx3");
    PRUNQ_CHECK(at != std::string::npos, "IDX dataset: cannot derive the labels file from '", images,
                "' (expected a name containing 'images-idx3'); pass a directory instead");
    labels.replace(at, 11, "labels-idx1");
    PRUNQ_CHECK(fs::is_regular_file(labels), "IDX dataset: labels file '", labels, "' for '", images,
                "' does not exist");
    return load_idx_pair(images, labels, num_classes);
  }

  const std::string images_stem = prefix + "-images-idx3-ubyte";
  const std::string labels_stem = prefix + "-labels-idx1-ubyte";
  std::string images = find_with_optional_gz(dir, images_stem);
  std::string labels = find_with_optional_gz(dir, labels_stem);
  if (images.empty() || labels.empty()) {
    const std::string missing = (dir / ((images.empty() ? images_stem : labels_stem) + ".gz")).string();
    if (debian)
      fail("dataset '", name_or_path, "' not found: '", missing, "' does not exist (install the Debian package ",
           kFashionMnistPackage, ": apt-get install ", kFashionMnistPackage,
           ", or set PRUNQ_FASHION_MNIST_DIR to a directory holding the IDX files)");
    if (!fs::exists(dir))
      fail("dataset '", name_or_path, "' not found: no such file or directory (expected 'fashion-mnist', a directory "
           "of IDX files or an images-idx3 file)");
    fail("dataset '", name_or_path, "': '", missing, "' (or its uncompressed form) does not exist");
  }
  return load_idx_pair(images, labels, num_classes);
}

}  // namespace prunq
