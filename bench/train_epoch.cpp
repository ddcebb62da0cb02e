// Trains a zoo model on Fashion-MNIST and reports the wall time per epoch (and, with --eval,
// the test accuracy). The prunq side of bench/train_epoch_vs_pytorch.sh, and the way to check
// the default recipe's accuracy:
//   bench_train_epoch --epochs 3 --schedule cosine --eval      (fmnist-cnn: >= 91.5% expected)
// Options: --arch NAME --epochs N --batch N --lr X --optimizer sgd|adam|adamw
//          --schedule constant|step|cosine --threads N --limit N (first N training images)
//          --seed N --eval (test accuracy after every epoch) --progress
// Data loading and normalisation are not timed; every epoch is (batches, forward, backward,
// optimiser step). The last line is machine-readable:
//   "RESULT prunq epoch_seconds=<wall> epoch_cpu_seconds=<user+sys of all threads> [test_accuracy=<0..1>]"
// (epoch_seconds never includes evaluation; with --eval, epoch_cpu_seconds does.)
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "core/thread_pool.h"
#include "io/data/idx_dataset.h"
#include "kernels/gemm_f32/gemm_f32.h"
#include "models/zoo.h"
#include "train/trainer.h"

namespace {

// User + system CPU time of the whole process (all threads): less sensitive than wall time to
// other jobs sharing the machine.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Prints each epoch's figures as soon as it ends (a 3-epoch run takes a while on 2 cores).
struct EpochPrinter : prunq::TrainCallback {
  void on_epoch_end(prunq::Trainer&, const prunq::EpochStats& s) override {
    std::printf("epoch %lld: %.2f s, train loss %.4f, train acc %.2f%%", (long long)s.epoch + 1, s.seconds,
                s.train_loss, 100 * s.train_accuracy);
    if (s.has_validation) std::printf(", test acc %.2f%%, test loss %.4f", 100 * s.validation.accuracy, s.validation.loss);
    std::printf("\n");
    std::fflush(stdout);
  }
};

struct Args {
  std::string arch = "fmnist-cnn";
  int64_t epochs = 1, batch = 128, limit = 0, threads = 2;
  uint64_t seed = 0;
  float lr = 1e-3f;
  std::string optimizer = "adam", schedule = "constant";
  bool eval = false, progress = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto val = [&]() -> std::string {
      PRUNQ_CHECK(i + 1 < argc, "option ", k, " needs a value");
      return argv[++i];
    };
    if (k == "--arch") a.arch = val();
    else if (k == "--epochs") a.epochs = std::stoll(val());
    else if (k == "--batch") a.batch = std::stoll(val());
    else if (k == "--limit") a.limit = std::stoll(val());
    else if (k == "--threads") a.threads = std::stoll(val());
    else if (k == "--seed") a.seed = std::stoull(val());
    else if (k == "--lr") a.lr = std::stof(val());
    else if (k == "--optimizer") a.optimizer = val();
    else if (k == "--schedule") a.schedule = val();
    else if (k == "--eval") a.eval = true;
    else if (k == "--progress") a.progress = true;
    else prunq::fail("unknown option '", k, "'");
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace prunq;
  try {
    const Args a = parse(argc, argv);
    set_num_threads(int(a.threads));
    Dataset train = load_idx_dataset("fashion-mnist", "train");
    Dataset test = load_idx_dataset("fashion-mnist", "test");
    if (a.limit > 0 && a.limit < train.size()) train = train.slice(0, a.limit);
    // Normalise both splits with the training statistics (the PyTorch side does the same).
    const Normalization norm = compute_normalization(train);
    normalize(train, norm);
    normalize(test, norm);

    ModelOptions mo;
    mo.seed = a.seed;
    Graph model = build_model(a.arch, mo);
    TrainConfig c;
    c.epochs = a.epochs;
    c.batch_size = a.batch;
    c.seed = a.seed;
    c.optimizer.kind = a.optimizer;
    c.optimizer.lr = a.lr;
    c.schedule = parse_lr_schedule_kind(a.schedule);
    c.progress = a.progress;
    Trainer trainer(model, c);
    trainer.add_callback(std::make_shared<EpochPrinter>());
    std::printf("prunq: %s, %lld train images, batch %lld, %s lr %g (%s), %d threads, gemm %s\n", a.arch.c_str(),
                (long long)train.size(), (long long)a.batch, a.optimizer.c_str(), double(a.lr), a.schedule.c_str(),
                num_threads(), gemm_f32_backend());
    std::fflush(stdout);
    const double cpu0 = process_cpu_seconds();
    // With --eval the test split is evaluated after every epoch (not timed as part of the epoch).
    std::vector<EpochStats> h = trainer.fit(train, a.eval ? &test : nullptr);
    const double cpu = process_cpu_seconds() - cpu0;
    double total = 0;
    for (const EpochStats& s : h) total += s.seconds;
    std::string result = "RESULT prunq epoch_seconds=" + std::to_string(total / double(h.size())) +
                         " epoch_cpu_seconds=" + std::to_string(cpu / double(h.size()));
    if (a.eval && !h.empty()) result += " test_accuracy=" + std::to_string(h.back().validation.accuracy);
    std::printf("%s\n", result.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train_epoch: %s\n", e.what());
    return 1;
  }
}
